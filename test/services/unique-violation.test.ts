import type { MikroORM } from '@mikro-orm/postgresql';
import { Admin } from '../../src/entities/admin.entity';
import { AdminRole } from '../../src/entities/common';
import { AppError } from '../../src/errors';
import { addAdmin } from '../../src/services/admin.service';
import { flushUnique } from '../../src/services/unique-violation';
import { openTestOrm } from '../helpers/db';
import { randomTelegramId } from '../helpers/ids';

describe('flushUnique', () => {
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await openTestOrm(2);
  });
  afterAll(async () => {
    await orm.close(true);
  });

  it('turns a violated unique constraint into the AppError the service names, keeping the first row', async () => {
    const telegramId = randomTelegramId();
    await addAdmin(orm.em.fork(), { telegramId, role: AdminRole.ADMIN });
    await expect(addAdmin(orm.em.fork(), { telegramId, role: AdminRole.SUPPORT })).rejects.toMatchObject({ code: 'ADMIN_ALREADY_EXISTS' });
    expect(await orm.em.fork().count(Admin, { telegramId })).toBe(1);
  });

  it('lets the service choose the error by constraint name', async () => {
    const telegramId = randomTelegramId();
    await addAdmin(orm.em.fork(), { telegramId, role: AdminRole.ADMIN });
    const em = orm.em.fork();
    em.create(Admin, { telegramId, role: AdminRole.ADMIN });
    const seen: Array<string | undefined> = [];
    await expect(flushUnique(em, (constraint) => (seen.push(constraint), new AppError('ADMIN_ALREADY_EXISTS')))).rejects.toBeInstanceOf(AppError);
    expect(seen).toEqual(['admin_telegram_id_unique']);
  });

  it('rethrows any other failure untouched', async () => {
    const em = orm.em.fork();
    em.create(Admin, { telegramId: randomTelegramId(), role: 'NOT_A_ROLE' as AdminRole });
    const err = await flushUnique(em, 'ADMIN_ALREADY_EXISTS').catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(AppError);
  });
});
