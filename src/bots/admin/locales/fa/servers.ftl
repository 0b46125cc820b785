## سرورها
srv-title = 🖥 <b>سرورها</b>
srv-none = هنوز سروری نیست.
srv-add = ➕ افزودن سرور
srv-detail = 🖥 <b>{ $name }</b> ({ $kind })
    { $url }
    وضعیت: { $status } · نسخه { $version }
    بار: { $load } · گروه <code>{ $group }</code>
    اینباندها: { $inbounds }
srv-activate = ▶️ فعال کردن
srv-deactivate = ⏸ غیرفعال کردن
srv-activated = فعال شد: اشتراک‌های جدید می‌توانند اینجا ساخته شوند.
srv-deactivated = غیرفعال شد: اشتراک جدیدی اینجا ساخته نمی‌شود.
srv-sync = 🔄 همگام‌سازی اینباندها
srv-synced = { $count } اینباند همگام شد.
srv-drift = 🔍 گزارش ناهمخوانی
srv-drift-report = 🔍 <b>ناهمخوانی (آزمایشی، چیزی تغییر نکرد)</b>
    بدون کلاینت روی پنل: { $missing }
    تنظیمات نادرست: { $wrong }
    تکراری: { $duplicated }
    اضافه (از اینجا حذف نمی‌شوند): { $orphans }
    ترمیم { $actions } کار انجام می‌دهد.
srv-repair = 🛠 ترمیم کن
srv-repaired = 🛠 ترمیم شد: { $applied } کار انجام شد، { $failed } ناموفق.
srv-back-server = « سرور
srv-evacuate = 🚚 تخلیه
srv-evacuate-confirm = 🚚 همه اشتراک‌ها از این سرور منتقل شوند (با همان لینک‌ها) و سرور غیرفعال شود؟
srv-evacuation = 🚚 تخلیه: { $status }
    منتقل‌شده { $moved } از { $total } · ناموفق { $failed } · باقی‌مانده { $remaining }
srv-evacuation-refresh = 🔄 پیشرفت
srv-ask-kind = ➕ کدام پنل است؟
srv-ask-name = یک نام کوتاه برای سرور (مثلاً de-1):
srv-ask-url = آدرس پنل با مسیر وب آن، مثلاً https://panel.example.com:2095/app/
srv-ask-username = نام کاربری پنل:
srv-ask-password = رمز پنل (پیام پس از خواندن پاک می‌شود):
srv-ask-token = توکن API پنل (پیام پس از خواندن پاک می‌شود):
srv-ask-group = گروه سرور (پلن‌ها بر اساس گروه جا می‌گیرند)، یا «رد شدن» برای default:
srv-ask-capacity = ظرفیت (حداکثر اشتراک)، یا «رد شدن» برای ۱۰۰:
srv-use-token = 🔑 استفاده از توکن API
srv-bad-url = این آدرس نیست. با http:// یا https:// شروع می‌شود.
srv-testing = 🔌 در حال آزمایش اتصال…
srv-saved = ✅ <b>{ $name }</b> ذخیره شد (نسخه { $version }، { $inbounds } اینباند).
srv-fail-path = ❌ سرور پاسخ داد، اما در این مسیر پنلی نیست. مسیر وب (web base path) در آدرس را بررسی کنید. چیزی ذخیره نشد.
srv-fail-auth = ❌ پنل در دسترس است، اما نام کاربری و رمز (یا توکن) را نپذیرفت. چیزی ذخیره نشد.
srv-fail-unreachable = ❌ به سرور نمی‌رسیم (میزبان یا پورت اشتباه، فایروال، یا سرور خاموش است). چیزی ذخیره نشد.
srv-fail-version = ❌ این نسخه پنل پشتیبانی نمی‌شود. چیزی ذخیره نشد.
srv-fail-rejected = ❌ پنل درخواست را نپذیرفت. آدرس را بررسی کنید. چیزی ذخیره نشد.
srv-fail-input = ❌ مشخصات پنل معتبر نیست. آدرس را بررسی کنید. چیزی ذخیره نشد.
