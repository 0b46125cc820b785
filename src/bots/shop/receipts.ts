import { BotApiError, API_UNAVAILABLE } from '../common';

/** Downloads a file the user sent, from Telegram's file endpoint (`${apiRoot}/file/bot<token>/<path>`). */
export async function downloadTelegramFile(apiRoot: string, token: string, filePath: string, maxBytes = 5 * 1024 * 1024): Promise<Buffer> {
  const res = await fetch(`${apiRoot}/file/bot${token}/${filePath}`, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new BotApiError(API_UNAVAILABLE, `file download answered ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > maxBytes) throw new BotApiError('RECEIPT_INVALID', 'receipt too large');
  return bytes;
}

/**
 * Uploads receipt bytes to the API (`POST /receipts`, as the Telegram user): file ids belong to
 * one bot, so the image itself travels to the admin bot through the API. Returns the receipt id.
 */
export async function uploadReceipt(apiUrl: string, apiKey: string, telegramUserId: number, bytes: Buffer): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${apiUrl.replace(/\/+$/, '')}/receipts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'x-telegram-user-id': String(telegramUserId), 'content-type': 'application/octet-stream' },
      body: new Uint8Array(bytes),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new BotApiError(API_UNAVAILABLE, `receipt upload failed: ${(err as Error).name}`);
  }
  const body = (await res.json().catch(() => null)) as { receiptId?: string; error?: { code?: string } } | null;
  if (res.status === 201 && body?.receiptId) return body.receiptId;
  throw new BotApiError(body?.error?.code ?? API_UNAVAILABLE, `receipt upload answered ${res.status}`);
}
