import 'reflect-metadata';

// Tests never talk to the real Telegram or a real panel; quiet logs unless asked.
process.env.LOG_LEVEL ??= 'silent';
