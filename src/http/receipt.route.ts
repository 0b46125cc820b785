import type { MikroORM } from '@mikro-orm/postgresql';
import { Role } from '../entities/common';
import { AppError, isAppError } from '../errors';
import { authenticate } from '../services/api-key.service';
import { customerOfPrincipal } from '../services/customer.service';
import { MAX_RECEIPT_BYTES, storeReceipt } from '../services/payment.service';
import { auditActorOf } from '../services/principal';
import { runInRequestTransaction } from '../resolvers/transaction.middleware';
import type { RouteHandler } from './api-server';
import { bearerOf, readBody } from './request-context';

const STATUS: Partial<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RECEIPT_INVALID: 415,
  RECEIPT_DUPLICATE: 409,
  CUSTOMER_NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
};

/** Room for the multipart boundaries and part headers around a 5 MB file. */
const MULTIPART_OVERHEAD = 64 * 1024;

/**
 * The file of a `multipart/form-data` body: the part named `photo`, else `file`, else the only
 * file part. Parsed by the runtime's own Fetch implementation (undici), no extra dependency.
 */
async function fileOfForm(body: Buffer, contentType: string): Promise<Buffer> {
  let form: FormData;
  try {
    form = await new Response(Uint8Array.from(body), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new AppError('BAD_USER_INPUT', 'The multipart/form-data body could not be read.');
  }
  const files = [...form.entries()].filter((e): e is [string, File] => typeof e[1] !== 'string');
  const chosen = files.find(([name]) => name === 'photo') ?? files.find(([name]) => name === 'file') ?? (files.length === 1 ? files[0] : undefined);
  if (!chosen) throw new AppError('BAD_USER_INPUT', 'Send the image as the form field "photo" (curl -F photo=@receipt.png).');
  return Buffer.from(await chosen[1].arrayBuffer());
}

/**
 * `POST /receipts`: the user bot uploads the receipt photo (≤ 5 MB) for the Telegram user it acts
 * for, as the raw body or as the `photo` field of a multipart/form-data form
 * (`curl -F photo=@receipt.png`); answers `201 {receiptId}`. The whole file must be a well-formed
 * JPEG, PNG or WebP (src/services/receipt-image.ts). Telegram file ids belong to one bot, so the
 * image itself moves through the API to reach the admin bot.
 */
export function receiptRoute(orm: MikroORM): RouteHandler {
  return async (req, res, url, tools) => {
    if (url.pathname !== '/receipts') return false;
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      // After refusing an oversized body, close the connection (its rest is still on the socket).
      const close = status === 413 ? { connection: 'close' } : {};
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...close });
      res.end(text);
    };
    try {
      if (req.method !== 'POST') {
        reply(405, { error: { code: 'BAD_USER_INPUT', message: 'Use POST.' } });
        return true;
      }
      const em = orm.em.fork();
      const bearer = bearerOf(req);
      const tg = req.headers['x-telegram-user-id'];
      const auth = bearer ? await authenticate(em, bearer, typeof tg === 'string' ? tg : undefined) : null;
      if (!auth || !('principal' in auth)) throw new AppError('UNAUTHENTICATED');
      const principal = auth.principal;
      if (principal.role !== Role.USER_BOT) throw new AppError('FORBIDDEN');
      const contentType = req.headers['content-type'] ?? '';
      const multipart = /^multipart\/form-data\s*;/i.test(contentType);
      const limit = multipart ? MAX_RECEIPT_BYTES + MULTIPART_OVERHEAD : MAX_RECEIPT_BYTES;
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > limit) {
        reply(413, { error: { code: 'RECEIPT_INVALID', message: 'The receipt is larger than 5 MB.' } });
        return true;
      }
      const body = await readBody(req, limit);
      const bytes = multipart ? await fileOfForm(body, contentType) : body;
      if (bytes.length > MAX_RECEIPT_BYTES) {
        reply(413, { error: { code: 'RECEIPT_INVALID', message: 'The receipt is larger than 5 MB.' } });
        return true;
      }
      const customer = await customerOfPrincipal(em, principal);
      const audit = { actor: auditActorOf(principal), action: 'uploadReceipt', correlationId: tools.requestId };
      const receipt = await runInRequestTransaction(em, audit, (tx) => storeReceipt(tx, tx.merge(customer), bytes));
      reply(201, { receiptId: receipt.id, mimeType: receipt.mimeType, size: receipt.size });
    } catch (err) {
      if ((err as { status?: number }).status === 413) {
        reply(413, { error: { code: 'RECEIPT_INVALID', message: 'The receipt is larger than 5 MB.' } });
      } else if (isAppError(err)) {
        reply(STATUS[err.code] ?? 400, { error: { code: err.code, message: err.message } });
      } else throw err;
    }
    return true;
  };
}
