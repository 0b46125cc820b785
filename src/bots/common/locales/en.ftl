## Common texts of both bots: navigation and the error boundary.
## Every error code the API can return has a text here (error-<code in kebab case>); a test checks it.

## Navigation
nav-back = « Back
nav-main-menu = 🏠 Main menu
nav-cancel = ✖️ Cancel
nav-cancelled = Cancelled. Nothing was changed.
nav-stale-button = This button is out of date. Here is the main menu.

## Errors
error-unknown = Something went wrong on our side. Please try again in a moment.
error-api-unavailable = The service is not reachable right now. Nothing was changed; please try again in a minute.
error-unauthenticated = The bot is not connected to the shop right now. Please try again later.
error-forbidden = You are not allowed to do this.
error-bad-user-input = That input is not valid. Please check it and try again.
error-not-found = That was not found. It may have been removed.
error-internal-server-error = Something went wrong on our side. Please try again in a moment.
error-rate-limited = Too many requests. Please wait a little and try again.
error-idempotency-key-reused = This request was already made differently. Please start again.
error-api-key-not-found = That API key was not found.
error-admin-not-found = That admin was not found.
error-admin-already-exists = An admin with this Telegram id already exists.
error-customer-not-found = Your account was not found. Send /start to register.
error-customer-banned = Your account is blocked. Please contact support.
error-setting-not-found = That setting does not exist.
error-plan-not-found = That plan is no longer available.
error-plan-not-purchasable = That plan cannot be bought right now.
error-plan-code-taken = A plan with this code already exists.
error-plan-in-use = This plan has orders or subscriptions; deactivate it instead.
error-discount-code-invalid = That discount code is not valid.
error-discount-code-exhausted = That discount code has been used up.
error-discount-code-taken = A discount code with this code already exists.
error-order-not-found = That order was not found.
error-order-not-cancellable = This order can no longer be cancelled.
error-order-not-retryable = Only failed orders can be retried.
error-payment-not-found = That payment was not found.
error-payment-already-reviewed = This payment has already been reviewed.
error-payment-expired = The payment deadline has passed. Please place a new order.
error-payment-not-submittable = A receipt cannot be sent for this payment any more.
error-receipt-not-found = That receipt was not found.
error-receipt-duplicate = This receipt was already sent.
error-receipt-invalid = The receipt must be a photo (JPEG, PNG or WebP) within the size limit.
error-insufficient-balance = Your wallet balance is not enough.
error-trial-already-used = You have already used your free trial.
error-trial-not-available = No free trial is offered right now.
error-subscription-not-found = That subscription was not found.
error-subscription-not-renewable = This subscription cannot be renewed.
error-subscription-not-changeable = This subscription cannot be changed in its current state.
error-server-not-found = That server was not found.
error-server-name-taken = A server with this name already exists.
error-no-capacity = No server has room right now. Please try again later; you were not charged.
error-panel-unavailable = The VPN server cannot be reached right now. Please try again later.
error-panel-rejected = The VPN server refused the request. Support has been told.
error-panel-version-unsupported = This panel version is not supported.
error-panel-auth-failed = The VPN server refused the credentials.
error-job-not-found = That job was not found.
error-ticket-not-found = That ticket was not found.
error-ticket-closed = This ticket is closed. Please open a new one.
error-ticket-limit-reached = You already have several open tickets. Please wait for an answer or close one first.
