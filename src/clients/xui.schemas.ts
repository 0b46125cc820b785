/**
 * zod schemas of the 3x-ui responses the adapter reads (PANELS.md B.4–B.8), grouped per
 * endpoint. Inbound JSON columns (`settings`, `streamSettings`, `sniffing`) arrive as JSON text
 * up to 3.0 and as nested objects from 3.1; both are normalised to objects here.
 */
import { z } from 'zod';

/** The `{success,msg,obj}` envelope; `obj` is checked per endpoint once `success` is known. */
export const envelopeSchema = z.object({
  success: z.boolean(),
  msg: z.string().nullish().transform((m) => m ?? ''),
  obj: z.unknown().optional(),
});

/** `GET {base}csrf-token` (3.0+). */
export const csrfTokenSchema = z.object({ success: z.literal(true), obj: z.string().min(1) });

/** A JSON column: text (≤3.0) or object (3.1+) → object, or null when empty/unparsable. */
const jsonColumn = z
  .union([z.string(), z.record(z.string(), z.unknown()), z.null()])
  .optional()
  .transform((v): Record<string, unknown> | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') return v;
    if (v.trim() === '') return null;
    try {
      const parsed = JSON.parse(v) as unknown;
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  });

const int = z.number().finite();

/** ClientTraffic (`clientStats[]`, `getClientTraffics`, G6 `traffic`). `id` is the row id, not the UUID. */
export const clientTrafficSchema = z.object({
  id: int.optional(),
  inboundId: int.optional(),
  enable: z.boolean(),
  email: z.string(),
  up: int,
  down: int,
  expiryTime: int.default(0),
  total: int.default(0),
});

/** One inbound of `inbounds/list` / `get/:id`. */
export const inboundSchema = z.object({
  id: int,
  remark: z.string().default(''),
  enable: z.boolean(),
  port: int,
  protocol: z.string(),
  listen: z.string().nullish().transform((v) => v ?? ''),
  tag: z.string().nullish().transform((v) => v ?? ''),
  up: int.default(0),
  down: int.default(0),
  total: int.default(0),
  expiryTime: int.default(0),
  trafficReset: z.string().optional(),
  clientStats: z.array(clientTrafficSchema).nullish().transform((v) => v ?? []),
  settings: jsonColumn,
  streamSettings: jsonColumn,
  sniffing: jsonColumn,
});

/** A parsed inbound. */
export type XuiInboundDto = z.infer<typeof inboundSchema>;

/** `GET panel/api/inbounds/list` obj (Go's nil slice is `null`). */
export const inboundListSchema = z
  .array(inboundSchema)
  .nullable()
  .transform((v) => v ?? []);

/**
 * `GET panel/api/server/status` obj: only what detection needs. `null` until the panel's first
 * status sample (every 2 s after start); `panelVersion` from 3.1 (`dev+<commit>` on 3.5+ dev builds).
 */
export const serverStatusSchema = z
  .object({
    panelVersion: z.string().optional(),
    xray: z.object({ version: z.string().optional() }).partial().optional(),
  })
  .nullable();

/** `GET panel/api/server/getPanelUpdateInfo` obj (3.0+; fails when the panel cannot reach GitHub). */
export const panelUpdateInfoSchema = z.object({ currentVersion: z.string().min(1) });

/**
 * A G6 client record (`clients/list` item, `clients/get` `client`). Unknown keys are kept so a
 * full-replace update sends back what we do not manage.
 */
export const clientRecordSchema = z.looseObject({
  email: z.string(),
  subId: z.string().nullish().transform((v) => v ?? ''),
  uuid: z.string().nullish().transform((v) => v ?? ''),
  password: z.string().nullish().transform((v) => v ?? ''),
  enable: z.boolean(),
  limitIp: int.default(0),
  totalGB: int.default(0),
  expiryTime: int.default(0),
});

/** A parsed G6 record. */
export type XuiClientRecordDto = z.infer<typeof clientRecordSchema>;

/** `GET panel/api/clients/list` obj. */
export const clientListSchema = z
  .array(
    clientRecordSchema.extend({
      inboundIds: z.array(int).nullish().transform((v) => v ?? []),
      traffic: clientTrafficSchema.nullish(),
    }),
  )
  .nullable()
  .transform((v) => v ?? []);

/** `GET panel/api/clients/get/:email` obj. */
export const clientGetSchema = z.object({
  client: clientRecordSchema,
  inboundIds: z.array(int).nullish().transform((v) => v ?? []),
});

/** `GET panel/api/clients/traffic/:email` obj (null for an unknown email). */
export const clientTrafficOrNullSchema = clientTrafficSchema.nullable();

/** `GET panel/api/clients/links/:email` (3.1+) and `inbounds/getClientLinks/:id/:email` (3.0.1–3.0.x) obj (`null` = none). */
export const linkListSchema = z
  .array(z.string())
  .nullable()
  .transform((v) => v ?? []);
