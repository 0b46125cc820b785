/**
 * The one error type of the product and the catalog of its stable codes.
 *
 * Codes are UPPER_SNAKE strings that clients (the bots, resellers) switch on. They are the
 * only place codes are defined; `formatError` (src/resolvers/format-error.ts) maps every
 * thrown error to one of them.
 */

/** What each code means for the caller and for operators. */
export interface ErrorCodeInfo {
  /** The default message, safe to show to an API caller. */
  message: string;
  /** Whether operators should be alerted when it happens. */
  reportable: boolean;
}

export const ERROR_CODES = {
  UNAUTHENTICATED: { message: 'A valid API key is required.', reportable: false },
  FORBIDDEN: { message: 'You are not allowed to do this.', reportable: false },
  BAD_USER_INPUT: { message: 'The input is not valid.', reportable: false },
  NOT_FOUND: { message: 'Not found.', reportable: false },
  INTERNAL_SERVER_ERROR: { message: 'Something went wrong on our side.', reportable: true },
  RATE_LIMITED: { message: 'Too many requests; try again later.', reportable: false },
  IDEMPOTENCY_KEY_REUSED: { message: 'This idempotency key was used for a different request.', reportable: false },
  API_KEY_NOT_FOUND: { message: 'API key not found.', reportable: false },
  ADMIN_NOT_FOUND: { message: 'Admin not found.', reportable: false },
  ADMIN_ALREADY_EXISTS: { message: 'An admin with this Telegram id already exists.', reportable: false },
  CUSTOMER_NOT_FOUND: { message: 'Customer not found.', reportable: false },
  CUSTOMER_BANNED: { message: 'This account is banned.', reportable: false },
  SETTING_NOT_FOUND: { message: 'Unknown setting.', reportable: false },
  PLAN_NOT_FOUND: { message: 'Plan not found.', reportable: false },
  PLAN_NOT_PURCHASABLE: { message: 'This plan cannot be bought.', reportable: false },
  PLAN_CODE_TAKEN: { message: 'A plan with this code already exists.', reportable: false },
  PLAN_IN_USE: { message: 'This plan has orders or subscriptions; deactivate it instead.', reportable: false },
  DISCOUNT_CODE_INVALID: { message: 'The discount code is not valid.', reportable: false },
  DISCOUNT_CODE_EXHAUSTED: { message: 'The discount code has been used up.', reportable: false },
  DISCOUNT_CODE_TAKEN: { message: 'A discount code with this code already exists.', reportable: false },
  ORDER_NOT_FOUND: { message: 'Order not found.', reportable: false },
  ORDER_NOT_CANCELLABLE: { message: 'Only unpaid orders can be cancelled.', reportable: false },
  ORDER_NOT_RETRYABLE: { message: 'Only failed orders can be retried.', reportable: false },
  PAYMENT_NOT_FOUND: { message: 'Payment not found.', reportable: false },
  PAYMENT_ALREADY_REVIEWED: { message: 'This payment has already been reviewed.', reportable: false },
  PAYMENT_EXPIRED: { message: 'The payment deadline has passed.', reportable: false },
  PAYMENT_NOT_SUBMITTABLE: { message: 'A receipt cannot be submitted for this payment.', reportable: false },
  RECEIPT_NOT_FOUND: { message: 'Receipt not found.', reportable: false },
  RECEIPT_DUPLICATE: { message: 'This receipt was already submitted.', reportable: false },
  RECEIPT_INVALID: { message: 'The receipt must be a JPEG, PNG or WebP image within the size limit.', reportable: false },
  INSUFFICIENT_BALANCE: { message: 'The balance is not enough.', reportable: false },
  TRIAL_ALREADY_USED: { message: 'The free trial was already used.', reportable: false },
  TRIAL_NOT_AVAILABLE: { message: 'No free trial is offered.', reportable: false },
  SUBSCRIPTION_NOT_FOUND: { message: 'Subscription not found.', reportable: false },
  SUBSCRIPTION_NOT_RENEWABLE: { message: 'This subscription cannot be renewed.', reportable: false },
  SUBSCRIPTION_NOT_CHANGEABLE: { message: 'This subscription cannot be enabled or disabled in its current state.', reportable: false },
  SERVER_NOT_FOUND: { message: 'Server not found.', reportable: false },
  SERVER_NAME_TAKEN: { message: 'A server with this name already exists.', reportable: false },
  SERVER_ALREADY_ADDED: { message: 'This panel (same host, port and base path) was already added as another server.', reportable: false },
  SERVER_IN_USE: { message: 'This server has or had subscriptions; deactivate it instead of deleting it.', reportable: false },
  NO_CAPACITY: { message: 'No server has room for a new subscription right now.', reportable: true },
  PANEL_UNAVAILABLE: { message: 'The panel server cannot be reached right now.', reportable: true },
  PANEL_REJECTED: { message: 'The panel refused the request.', reportable: true },
  PANEL_VERSION_UNSUPPORTED: { message: 'This panel version is not supported.', reportable: false },
  PANEL_AUTH_FAILED: { message: 'The panel refused the credentials.', reportable: true },
  JOB_NOT_FOUND: { message: 'Job not found.', reportable: false },
  TICKET_NOT_FOUND: { message: 'Ticket not found.', reportable: false },
  TICKET_CLOSED: { message: 'This ticket is closed.', reportable: false },
  TICKET_LIMIT_REACHED: { message: 'Too many open tickets; close one or wait for an answer.', reportable: false },
  RESELLER_NOT_FOUND: { message: 'Reseller not found.', reportable: false },
  RESELLER_NAME_TAKEN: { message: 'A reseller with this name already exists.', reportable: false },
  RESELLER_SUSPENDED: { message: 'This reseller account is suspended.', reportable: false },
  PLAN_NOT_ALLOWED: { message: 'This plan is not available to this reseller.', reportable: false },
  QUOTA_EXCEEDED: { message: 'The reseller has reached its quota of active subscriptions.', reportable: false },
  WEBHOOK_URL_REFUSED: { message: 'The webhook URL is not allowed.', reportable: false },
  WEBHOOK_NOT_CONFIGURED: { message: 'No webhook URL is set.', reportable: false },
  SUBSCRIPTION_NOT_MOVABLE: { message: 'Only an ACTIVE subscription on a server can be moved.', reportable: false },
  SUBSCRIPTION_ALREADY_ON_SERVER: { message: 'The subscription is already on this server.', reportable: false },
  SUBSCRIPTION_MOVE_RUNNING: { message: 'A move of this subscription to another server is already running.', reportable: false },
  SERVER_INACTIVE: { message: 'This server is inactive or down; nothing new is placed on it.', reportable: false },
  SERVER_FULL: { message: 'This server has no room for another subscription.', reportable: false },
  SERVER_NO_USABLE_INBOUND: { message: "This server has no inbound the subscription's plan can use.", reportable: false },
  SERVER_EVACUATING: { message: 'This server is being evacuated; its subscriptions are moved with the evacuation.', reportable: false },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error whose code and message are safe to return to API callers. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  /** Whether operators should hear about it. */
  get reportable(): boolean {
    return ERROR_CODES[this.code].reportable;
  }
}

/** Type guard that survives errors crossing module copies. */
export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
