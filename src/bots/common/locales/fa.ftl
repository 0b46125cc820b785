## متن‌های مشترک هر دو ربات: پیمایش و خطاها.
## هر کد خطایی که API برمی‌گرداند اینجا متن دارد (error-<کد>)؛ یک تست آن را بررسی می‌کند.

## Navigation
nav-back = « بازگشت
nav-main-menu = 🏠 منوی اصلی
nav-cancel = ✖️ انصراف
nav-cancelled = لغو شد. چیزی تغییر نکرد.
nav-stale-button = این دکمه قدیمی است. منوی اصلی:

## Errors
error-unknown = مشکلی در سمت ما پیش آمد. لطفاً کمی بعد دوباره تلاش کنید.
error-api-unavailable = سرویس در حال حاضر در دسترس نیست. چیزی تغییر نکرد؛ لطفاً یک دقیقه دیگر دوباره تلاش کنید.
error-unauthenticated = ربات فعلاً به فروشگاه وصل نیست. لطفاً بعداً تلاش کنید.
error-forbidden = شما اجازهٔ این کار را ندارید.
error-bad-user-input = ورودی معتبر نیست. لطفاً بررسی کنید و دوباره بفرستید.
error-not-found = پیدا نشد؛ ممکن است حذف شده باشد.
error-internal-server-error = مشکلی در سمت ما پیش آمد. لطفاً کمی بعد دوباره تلاش کنید.
error-rate-limited = درخواست‌ها زیاد است. لطفاً کمی صبر کنید و دوباره تلاش کنید.
error-idempotency-key-reused = این درخواست قبلاً به شکل دیگری ثبت شده است. لطفاً از ابتدا شروع کنید.
error-api-key-not-found = این کلید API پیدا نشد.
error-admin-not-found = این مدیر پیدا نشد.
error-admin-already-exists = مدیری با این شناسهٔ تلگرام از قبل وجود دارد.
error-customer-not-found = حساب شما پیدا نشد. برای ثبت‌نام /start را بفرستید.
error-customer-banned = حساب شما مسدود است. لطفاً با پشتیبانی تماس بگیرید.
error-setting-not-found = این تنظیم وجود ندارد.
error-plan-not-found = این پلن دیگر موجود نیست.
error-plan-not-purchasable = این پلن فعلاً قابل خرید نیست.
error-plan-code-taken = پلنی با این کد از قبل وجود دارد.
error-plan-in-use = این پلن سفارش یا اشتراک دارد؛ به جای حذف، غیرفعالش کنید.
error-discount-code-invalid = این کد تخفیف معتبر نیست.
error-discount-code-exhausted = ظرفیت این کد تخفیف تمام شده است.
error-discount-code-taken = کد تخفیفی با این کد از قبل وجود دارد.
error-order-not-found = این سفارش پیدا نشد.
error-order-not-cancellable = این سفارش دیگر قابل لغو نیست.
error-order-not-retryable = فقط سفارش‌های ناموفق را می‌توان دوباره اجرا کرد.
error-payment-not-found = این پرداخت پیدا نشد.
error-payment-already-reviewed = این پرداخت قبلاً بررسی شده است.
error-payment-expired = مهلت پرداخت تمام شده است. لطفاً سفارش جدیدی ثبت کنید.
error-payment-not-submittable = برای این پرداخت دیگر نمی‌توان رسید فرستاد.
error-receipt-not-found = این رسید پیدا نشد.
error-receipt-duplicate = این رسید قبلاً فرستاده شده است.
error-receipt-invalid = رسید باید عکس (JPEG، PNG یا WebP) و در محدودهٔ حجم مجاز باشد.
error-insufficient-balance = موجودی کیف پول شما کافی نیست.
error-trial-already-used = شما قبلاً از اشتراک تست رایگان استفاده کرده‌اید.
error-trial-not-available = فعلاً اشتراک تست رایگان ارائه نمی‌شود.
error-subscription-not-found = این اشتراک پیدا نشد.
error-subscription-not-renewable = این اشتراک قابل تمدید نیست.
error-subscription-not-changeable = این اشتراک در وضعیت فعلی قابل تغییر نیست.
error-server-not-found = این سرور پیدا نشد.
error-server-name-taken = سروری با این نام از قبل وجود دارد.
error-no-capacity = فعلاً هیچ سروری ظرفیت خالی ندارد. لطفاً بعداً تلاش کنید؛ مبلغی از شما کسر نشد.
error-panel-unavailable = سرور VPN فعلاً در دسترس نیست. لطفاً بعداً تلاش کنید.
error-panel-rejected = سرور VPN درخواست را نپذیرفت. پشتیبانی مطلع شد.
error-panel-version-unsupported = این نسخهٔ پنل پشتیبانی نمی‌شود.
error-panel-auth-failed = سرور VPN اطلاعات ورود را نپذیرفت.
error-job-not-found = این کار پیدا نشد.
error-ticket-not-found = این تیکت پیدا نشد.
error-ticket-closed = این تیکت بسته شده است. لطفاً یک تیکت جدید باز کنید.
error-ticket-limit-reached = چند تیکت باز دارید. لطفاً منتظر پاسخ بمانید یا اول یکی را ببندید.
