import type { FakeMessage, FakeTelegram } from './fake-telegram';

/**
 * The plumbing both bot harnesses share: updates pushed into the fake Bot API and awaited until
 * the bot reports them handled (`onUpdateDone`), the user's inbox, and the logger that collects
 * the bot's warnings and errors.
 */
export interface BotChat {
  errors: string[];
  logger: { info(): void; warn(o: Record<string, unknown>, m: string): void; error(o: Record<string, unknown>, m: string): void };
  /** Pass as the bot's `onUpdateDone`. */
  onUpdateDone(id: number): void;
  /** Pushes an update and resolves with the user's messages that are new or edited by it. */
  push(update: Record<string, unknown>, user: number): Promise<FakeMessage[]>;
  inbox(user: number): FakeMessage[];
  last(user: number): FakeMessage;
  /** The last message carrying a button with this data. */
  withButton(user: number, data: string): FakeMessage;
}

export function botChat(fake: FakeTelegram, token: string): BotChat {
  const waiting = new Map<number, () => void>();
  const errors: string[] = [];
  const inbox = (user: number) => fake.sentTo(user, token);
  return {
    errors,
    logger: {
      info() {},
      warn(o, m) {
        errors.push(`${m} ${JSON.stringify(o)}`);
      },
      error(o, m) {
        errors.push(`${m} ${JSON.stringify(o)}`);
      },
    },
    onUpdateDone(id) {
      waiting.get(id)?.();
      waiting.delete(id);
    },
    async push(update, user) {
      const before = new Set(inbox(user).map((m) => m.messageId));
      const edits = new Map(inbox(user).map((m) => [m.messageId, m.edits]));
      await new Promise<void>((resolve) => {
        const id = fake.pushUpdate(token, update);
        waiting.set(id, resolve);
      });
      return inbox(user).filter((m) => !before.has(m.messageId) || m.edits !== edits.get(m.messageId));
    },
    inbox,
    last(user) {
      const all = inbox(user);
      return all[all.length - 1];
    },
    withButton(user, data) {
      const m = [...inbox(user)].reverse().find((x) => x.buttons.some((row) => row.some((b) => b.callback_data === data)));
      if (!m) throw new Error(`no message with a button ${data} for ${user}`);
      return m;
    },
  };
}
