/**
 * Envelope-level calls to a 3x-ui panel: sends through the session (auth, re-login), expects
 * HTTP 200 with `{success,msg,obj}`, and turns `success:false` into a non-retryable
 * PANEL_REJECTED carrying the panel's message (keyed on `success`, never on `msg`).
 */
import type { ZodType } from 'zod';
import { PanelError } from './panel-error';
import type { PanelHttp, PanelResponse } from './panel-http';
import { envelopeSchema } from './xui.schemas';
import type { SessionRequest, XuiSession } from './xui.session';

/** A `success:false` answer: the panel understood and refused. */
export class XuiRefusal extends PanelError {}

/** Calls with envelope handling. */
export class XuiApi {
  constructor(
    readonly http: PanelHttp,
    readonly session: XuiSession,
  ) {}

  /** Sends and returns the raw 200 response; other statuses become PanelErrors. */
  async send(req: SessionRequest): Promise<PanelResponse> {
    const res = await this.session.request(req);
    if (res.status !== 200) {
      throw this.session.error(res.status >= 500 ? 'PANEL_UNAVAILABLE' : 'PANEL_REJECTED', req.operation, res.status >= 500, `HTTP ${res.status}`, res.status);
    }
    return res;
  }

  /** The envelope of a 200 response (an empty body, left after the transport's retries of an idempotent call, is a retryable PANEL_REJECTED). */
  async envelope(req: SessionRequest): Promise<{ success: boolean; msg: string; obj: unknown }> {
    const res = await this.send(req);
    const env = this.http.parseJson(res, envelopeSchema, req.operation);
    return { success: env.success, msg: env.msg, obj: env.obj };
  }

  /** `success:true` required; returns `obj` checked against `schema`. */
  async call<T>(req: SessionRequest, schema: ZodType<T>): Promise<T> {
    const env = await this.envelope(req);
    if (!env.success) throw this.refusal(req.operation, env.msg);
    const parsed = schema.safeParse(env.obj);
    if (!parsed.success) throw this.session.error('PANEL_REJECTED', req.operation, false, 'unexpected response shape');
    return parsed.data;
  }

  /** `success:true` required; `obj` ignored. */
  async ok(req: SessionRequest): Promise<void> {
    const env = await this.envelope(req);
    if (!env.success) throw this.refusal(req.operation, env.msg);
  }

  /** The error for a `success:false` envelope. */
  refusal(operation: string, msg: string): XuiRefusal {
    const base = this.session.error('PANEL_REJECTED', operation, false, msg);
    return new XuiRefusal({
      code: 'PANEL_REJECTED',
      serverId: base.serverId,
      operation,
      retryable: false,
      panelMessage: base.panelMessage,
    });
  }
}
