import { randomInt } from 'node:crypto';

/** A random Telegram-like user id, unique enough for parallel tests. */
export function randomTelegramId(): number {
  return randomInt(10_000_000, 2 ** 40);
}
