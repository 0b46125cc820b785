## تنظیمات و ناموفق‌ها
set-title = ⚙️ <b>تنظیمات</b>
set-ask = ⚙️ <b>{ $name }</b>
    { $hint }
    مقدار جدید را بفرستید:
set-clear = 🗑 پاک کردن
set-saved = ✅ ذخیره شد.
set-invalid = ❌ ذخیره نشد: { $reason }
    مقدار دیگری بفرستید:
set-card-number = شماره کارت
set-card-holder = نام صاحب کارت
set-payment-deadline-minutes = مهلت پرداخت
set-warning-traffic-percents = هشدارهای حجم
set-warning-expiry-hours = هشدارهای انقضا
set-grace-days = روزهای مهلت
set-trial-plan-code = پلن تست
set-support-handle = آیدی پشتیبانی
set-required-channel = کانال اجباری
set-hint-card-number = رقم، فاصله و خط تیره.
set-hint-card-holder = نامی که مشتری می‌بیند.
set-hint-payment-deadline-minutes = دقیقه‌هایی که پرداخت کارت‌به‌کارت باز می‌ماند (۵ تا ۱۰۰۸۰).
set-hint-warning-traffic-percents = درصد از حجم، مثلاً 80, 100
set-hint-warning-expiry-hours = ساعت پیش از انقضا، مثلاً 72, 24
set-hint-grace-days = روزهای پیش از حذف اشتراک تمام‌شده از پنل.
set-hint-trial-plan-code = کد پلنی که به‌عنوان تست علامت خورده است.
set-hint-support-handle = مثلاً @support
set-hint-required-channel = مثلاً @mychannel
fail-orders = 🧯 <b>سفارش‌های ناموفق</b>: { $count }
fail-jobs = 🧯 <b>کارهای ناموفق</b>: { $count }
fail-retry-order = 🔁 سفارش #{ $number }
fail-retry-job = 🔁 کار #{ $id }
fail-retried = دوباره در صف قرار گرفت.
set-daily-report-hour-utc = ساعت گزارش روزانه
set-hint-daily-report-hour-utc = ساعت UTC (۰ تا ۲۳) گزارش روزانه به همه مدیران؛ «پاک کردن» برای هیچ.
