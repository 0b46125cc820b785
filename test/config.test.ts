import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, configSchema, parseConfig } from '../src/config';
import { SETTINGS } from '../src/services/setting.service';

describe('config', () => {
  it('starts from documented defaults with an empty environment', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      PORT: 4000,
      HOST: '0.0.0.0',
      DATA_DIR: '.data',
      LOG_LEVEL: 'info',
      TELEGRAM_API_ROOT: 'https://api.telegram.org',
      PUBLIC_URL: 'http://localhost:4000',
      WORKER_CONCURRENCY: 5,
    });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.USER_BOT_TOKEN).toBeUndefined();
  });

  it('lists every problem at once', () => {
    let error: ConfigError | undefined;
    try {
      parseConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', TELEGRAM_API_ROOT: 'ftp://x' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const keys = error!.issues.map((i) => i.split(':')[0]).sort();
    expect(keys).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'TELEGRAM_API_ROOT']);
  });

  it('strips a trailing slash from the Bot API root', () => {
    expect(parseConfig({ TELEGRAM_API_ROOT: 'http://127.0.0.1:9000/' }).TELEGRAM_API_ROOT).toBe('http://127.0.0.1:9000');
  });
});

describe('configuration documentation', () => {
  it('lists every variable in the README table and in .env.example', () => {
    const root = path.resolve(__dirname, '..');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const example = fs.readFileSync(path.join(root, '.env.example'), 'utf8');
    const keys = Object.keys(configSchema.shape);
    expect(keys.filter((k) => !readme.includes(`| \`${k}\` |`))).toEqual([]);
    expect(keys.filter((k) => !new RegExp(`^#? ?${k}=`, 'm').test(example))).toEqual([]);
  });
});

describe('runtime settings documentation', () => {
  it('lists every runtime setting in the README', () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8');
    expect(Object.keys(SETTINGS).filter((k) => !readme.includes(`| \`${k}\` |`))).toEqual([]);
  });
});
