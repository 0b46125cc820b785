import { randomUUID } from 'node:crypto';
import { Role } from '../../src/entities/common';
import { Receipt } from '../../src/entities/receipt.entity';
import { receiptImageType } from '../../src/services/receipt-image';
import { makeKey, startTestApi, type TestApi } from '../helpers/api';
import { tinyJpeg, tinyPng, tinyWebp } from '../helpers/images';
import { buildCustomer } from '../factories/commerce';

describe('POST /receipts', () => {
  let t: TestApi;
  let key: string;
  let telegramId: number;

  beforeAll(async () => {
    t = await startTestApi();
    key = await makeKey(t.orm, Role.USER_BOT);
    telegramId = (await buildCustomer(t.orm)).telegramId!;
  });
  afterAll(async () => {
    await t.close();
  });

  const headers = () => ({ authorization: `Bearer ${key}`, 'x-telegram-user-id': String(telegramId) });
  const raw = (bytes: Buffer) => fetch(`${t.url}/receipts`, { method: 'POST', headers: { ...headers(), 'content-type': 'application/octet-stream' }, body: new Uint8Array(bytes) });
  const multipart = (field: string, bytes: Buffer, filename = 'receipt.png') => {
    const form = new FormData();
    form.append('note', 'hello');
    form.append(field, new Blob([new Uint8Array(bytes)], { type: 'image/png' }), filename);
    return fetch(`${t.url}/receipts`, { method: 'POST', headers: headers(), body: form });
  };
  const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

  it('accepts a multipart/form-data upload (curl -F photo=@x.png) as well as a raw body', async () => {
    const png = tinyPng(randomUUID());
    const res = await multipart('photo', png);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { receiptId: string; mimeType: string; size: number };
    expect(body).toMatchObject({ mimeType: 'image/png', size: png.length });
    const stored = await t.orm.em.fork().findOneOrFail(Receipt, { id: body.receiptId }, { populate: ['data'] });
    expect(Buffer.from(stored.data).equals(png)).toBe(true);

    const jpeg = await raw(tinyJpeg(randomUUID()));
    expect(jpeg.status).toBe(201);
    expect(((await jpeg.json()) as { mimeType: string }).mimeType).toBe('image/jpeg');
    const webp = await multipart('file', tinyWebp(), 'r.webp');
    expect(webp.status).toBe(201);
    expect(((await webp.json()) as { mimeType: string }).mimeType).toBe('image/webp');
  });

  it('refuses a form without a file with a message that names the field', async () => {
    const form = new FormData();
    form.append('photo', 'not a file');
    const res = await fetch(`${t.url}/receipts`, { method: 'POST', headers: headers(), body: form });
    expect(res.status).toBe(400);
    expect((await codeOf(res)).message).toContain('photo');
  });

  it('refuses a file whose header claims an image its structure does not hold, storing nothing', async () => {
    const png = tinyPng(randomUUID());
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    const iend = png.length - 12;
    const badCrc = Buffer.from(png);
    badCrc[20] ^= 0xff; // inside IHDR: its CRC no longer matches
    const webp = tinyWebp();
    const wrongSize = Buffer.from(webp);
    wrongSize.writeUInt32LE(webp.readUInt32LE(4) + 100, 4);
    const jpeg = tinyJpeg(randomUUID());
    const cases: Array<[string, Buffer]> = [
      ['PNG header followed by HTML', Buffer.concat([png.subarray(0, 8), html])],
      ['PNG with HTML after IEND', Buffer.concat([png, html])],
      ['PNG with HTML instead of IEND', Buffer.concat([png.subarray(0, iend), html])],
      ['PNG with a wrong CRC', badCrc],
      ['JPEG without EOI', jpeg.subarray(0, jpeg.length - 2)],
      ['JPEG with HTML after EOI', Buffer.concat([jpeg, html])],
      ['JPEG SOI followed by HTML', Buffer.concat([jpeg.subarray(0, 3), html])],
      ['WebP whose RIFF size does not match', wrongSize],
      ['WebP with HTML appended', Buffer.concat([webp, html])],
    ];
    const before = await t.orm.em.fork().count(Receipt, {});
    for (const [label, bytes] of cases) {
      for (const send of [raw, (b: Buffer) => multipart('photo', b)]) {
        const res = await send(bytes);
        expect({ label, status: res.status, code: (await codeOf(res)).code }).toEqual({ label, status: 415, code: 'RECEIPT_INVALID' });
      }
      expect({ label, type: receiptImageType(bytes).type }).toEqual({ label, type: undefined });
    }
    expect(await t.orm.em.fork().count(Receipt, {})).toBe(before);
  });
});
