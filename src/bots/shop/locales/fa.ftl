## متن‌های ربات فروشگاه (فارسی). بخش‌ها به ترتیب قابلیت‌ها؛ en.ftl همین شناسه‌ها را دارد (یک تست بررسی می‌کند).
## حالت HTML: هر مقداری که کاربر یا API می‌دهد پیش از قرار گرفتن در پیام escape می‌شود.

## Start, language, main menu
start-choose-language = Please choose your language. / لطفاً زبان خود را انتخاب کنید.
lang-fa = 🇮🇷 فارسی
lang-en = 🇬🇧 English
lang-changed = زبان ربات فارسی شد.
start-welcome = 👋 خوش آمدید! اینجا می‌توانید اشتراک VPN بخرید، کانفیگ‌ها و مصرف خود را ببینید و با پشتیبانی در تماس باشید. از منوی پایین انتخاب کنید.
start-banned = حساب شما مسدود شده است و امکان استفاده از فروشگاه را ندارید. اگر فکر می‌کنید اشتباهی رخ داده، لطفاً با پشتیبانی تماس بگیرید.
menu-title = 🏠 منوی اصلی. چه کاری می‌خواهید انجام دهید؟
menu-buy = 🛒 خرید اشتراک
menu-subs = 📦 اشتراک‌های من
menu-trial = 🎁 اکانت تست
menu-wallet = 👛 کیف پول
menu-support = 💬 پشتیبانی
menu-help = 📚 راهنما
menu-language = 🌐 زبان
menu-unknown = متوجه نشدم. لطفاً از دکمه‌های منوی پایین استفاده کنید.
flood-slow-down = کمی آهسته‌تر! لطفاً چند لحظه صبر کنید.

## Commands (setMyCommands)
cmd-start = منوی اصلی
cmd-buy = خرید اشتراک
cmd-subs = اشتراک‌های من
cmd-wallet = کیف پول و شارژ
cmd-support = تیکت‌های پشتیبانی
cmd-help = راهنما و آموزش برنامه‌ها
cmd-language = تغییر زبان
cmd-cancel = لغو مرحلهٔ فعلی

## Required channel
join-required = برای استفاده از فروشگاه، لطفاً اول عضو کانال { $channel } شوید و سپس «عضو شدم» را بزنید.
join-open = 📢 ورود به کانال
join-check = ✅ عضو شدم
join-not-yet = هنوز عضو کانال نشده‌اید.

## Buy
buy-plans-title = <b>🛒 یک پلن انتخاب کنید</b>
    قیمت‌ها به تومان است.
buy-no-plans = فعلاً پلنی برای فروش نیست. لطفاً بعداً سر بزنید.
buy-plan-button = { $title } · { $traffic } · { $days } روز · { $price }
buy-plan-detail = <b>{ $title }</b>
    📶 حجم: { $traffic }
    ⏳ مدت: { $days } روز
    📱 تعداد دستگاه: { $devices }
    💵 قیمت: { $price }
buy-devices-unlimited = نامحدود
buy-choose = ✅ انتخاب این پلن
buy-kind-renew = 🔄 تمدید اشتراک <b>{ $title }</b>
buy-kind-addtr = ➕ حجم اضافه برای اشتراک <b>{ $title }</b>
buy-discount-ask = کد تخفیف دارید؟ همین حالا بفرستید، یا «بدون کد» را بزنید.
buy-discount-skip = ➡️ بدون کد
buy-discount-applied = 🏷 کد { $code } اعمال شد: { $discount } تخفیف.
buy-discount-retry = کد دیگری بفرستید، یا «بدون کد» را بزنید.
buy-discount-bad-text = لطفاً کد تخفیف را به صورت متن بفرستید، یا «بدون کد» را بزنید.
buy-summary = <b>{ $title }</b>
    قیمت: { $price }
    تخفیف: { $discount }
    <b>مبلغ قابل پرداخت: { $due }</b>
    موجودی کیف پول: { $balance }

    چطور پرداخت می‌کنید؟
buy-pay-wallet = 👛 پرداخت از کیف پول
buy-pay-card = 💳 کارت به کارت
buy-card-instructions = <b>سفارش #{ $number }</b>
    دقیقاً مبلغ <b>{ $amount }</b> را به این کارت واریز کنید:

    💳 شماره کارت: <code>{ $card }</code>
    👤 به نام: { $holder }
    🔢 مبلغ برای کپی: <code>{ $digits }</code>
    ⏰ مهلت پرداخت: { $deadline }

    این مبلغ مخصوص سفارش شماست: لطفاً دقیقاً همین مبلغ را واریز کنید، سپس «پرداخت کردم» را بزنید و عکس رسید را بفرستید.
buy-paid = ✅ پرداخت کردم
buy-cancel-order = ✖️ لغو سفارش
buy-send-receipt = 📸 حالا عکس رسید را بفرستید (به صورت عکس، نه فایل). می‌توانید کد پیگیری بانک را در توضیح عکس بنویسید.
buy-receipt-not-photo = لطفاً رسید را به صورت عکس بفرستید. برای انصراف «لغو سفارش» را بزنید.
buy-receipt-document = این یک فایل است. لطفاً رسید را به صورت عکس بفرستید (هنگام پیوست «عکس» را انتخاب کنید)، نه به صورت فایل.
buy-receipt-uploading = ⏳ در حال دریافت رسید…
buy-receipt-received = ✅ رسید سفارش #{ $number } دریافت شد. پرداخت شما در حال بررسی است؛ به محض بررسی همین‌جا به شما خبر می‌دهیم.
buy-payment-closed = این سفارش دیگر منتظر پرداخت نیست (لغو شده، مهلتش گذشته یا قبلاً بررسی شده است). کار دیگری لازم نیست.
buy-order-cancelled = سفارش #{ $number } لغو شد. مبلغی کسر نشد.
buy-wallet-done = ✅ پرداخت شد. سفارش #{ $number } در حال آماده‌سازی است؛ کانفیگ شما تا لحظاتی دیگر همین‌جا ارسال می‌شود.
buy-use-buttons = لطفاً از دکمه‌های آخرین پیام استفاده کنید، یا برای انصراف /cancel را بفرستید.
buy-not-now = فروشگاه فعلاً نتوانست این سفارش را ثبت کند.

## Wallet
wallet-title = <b>👛 کیف پول شما</b>
    موجودی: <b>{ $balance }</b>
wallet-entries-title = آخرین تراکنش‌ها:
wallet-entry = { $date } · { $kind } · { $amount }
wallet-no-entries = هنوز تراکنشی ندارید.
wallet-kind-top-up = شارژ
wallet-kind-purchase = خرید
wallet-kind-refund = بازگشت وجه
wallet-kind-adjustment = اصلاح
wallet-kind-commission = پورسانت
wallet-topup = ➕ شارژ کیف پول
topup-ask-amount = چه مبلغی (به تومان) می‌خواهید شارژ کنید؟ عددی بین { $min } و { $max } بفرستید.
topup-bad-amount = لطفاً یک عدد صحیح به تومان بین { $min } و { $max } بفرستید، مثلاً { $example }.
topup-title = شارژ کیف پول به مبلغ { $amount }

## My subscriptions
subs-title = <b>📦 اشتراک‌های شما</b> (صفحهٔ { $page } از { $pages })
subs-empty = هنوز اشتراکی ندارید. یکی بخرید یا اکانت تست را امتحان کنید.
subs-item = { $status } { $title } · { $expiry }
subs-prev = ‹ قبلی
subs-next = بعدی ›
sub-detail = <b>{ $title }</b>
    وضعیت: { $status }
    📶 مصرف: { $used } از { $quota }
    { $bar }
    ⏳ روزهای باقی‌مانده: { $days }
    📅 تاریخ انقضا: { $expiry }
sub-url = 🔗 لینک اشتراک (در برنامه اضافه کنید):
    <code>{ $url }</code>
sub-links = کانفیگ‌ها (برای کپی لمس کنید):
sub-no-links = کانفیگ‌ها در حال آماده‌سازی است. کمی بعد «به‌روزرسانی» را بزنید.
sub-no-expiry = بدون انقضا
sub-status-active = 🟢 فعال
sub-status-provisioning = ⏳ در حال آماده‌سازی
sub-status-disabled = ⏸ غیرفعال
sub-status-depleted = 🔴 حجم تمام شده
sub-status-expired = 🔴 منقضی شده
sub-status-revoked = ⚫️ لغو شده
sub-status-failed = ⚠️ ناموفق
sub-renew = 🔄 تمدید
sub-addtr = ➕ حجم اضافه
sub-refresh = ♻️ به‌روزرسانی
sub-qr-caption = کد QR لینک اشتراک شما: در برنامهٔ VPN اسکن کنید.
sub-trial-not-renewable = اکانت تست قابل تمدید نیست. لطفاً یک پلن بخرید.
sub-refreshed = به‌روز است.

## Free trial
trial-started = 🎁 اکانت تست شما در حال آماده‌سازی است. کانفیگ تا لحظاتی دیگر همین‌جا ارسال می‌شود.

## Support
support-title = <b>💬 پشتیبانی</b>
    یک تیکت باز کنید؛ پاسخ را همین‌جا دریافت می‌کنید.
support-handle = همچنین می‌توانید به { $handle } پیام دهید.
support-new = ✉️ تیکت جدید
support-my-tickets = 🗂 تیکت‌های من
ticket-ask-subject = موضوع چیست؟ یک عنوان کوتاه (یک خط) بفرستید.
ticket-ask-message = حالا پیام خود را بنویسید.
ticket-text-only = لطفاً متن بفرستید. فعلاً امکان پیوست عکس یا فایل به تیکت نیست.
ticket-too-long = خیلی طولانی است. لطفاً کمتر از { $max } نویسه بنویسید.
ticket-created = ✅ تیکت <b>{ $subject }</b> باز شد. پاسخ را همین‌جا دریافت می‌کنید.
ticket-list-title = <b>🗂 تیکت‌های شما</b>
ticket-list-empty = تیکتی ندارید.
ticket-item = { $status } { $subject }
ticket-status-open = 🟡 باز
ticket-status-answered = 🟢 پاسخ داده شده
ticket-status-closed = ⚪️ بسته
ticket-thread = <b>{ $subject }</b> · { $status }
ticket-from-me = 👤 شما · { $date }
ticket-from-support = 🎧 پشتیبانی · { $date }
ticket-write = ✍️ نوشتن پیام
ticket-close = ✅ بستن تیکت
ticket-closed = تیکت بسته شد. سپاس!
ticket-message-sent = ✅ پیام ارسال شد. پاسخ را همین‌جا دریافت می‌کنید.

## Help
help-title = <b>📚 راهنما</b>
    دستگاه خود را انتخاب کنید تا روش اضافه کردن اشتراک را ببینید.
help-android = 🤖 اندروید
help-ios = 🍏 آیفون / آیپد
help-windows = 🪟 ویندوز
help-macos = 💻 مک
help-suburl = 🔗 لینک اشتراک
help-faq = ❓ سوالات متداول
help-android-text = <b>اندروید</b>
    ۱. برنامهٔ <b>v2rayNG</b> یا <b>Hiddify</b> را از گوگل‌پلی نصب کنید.
    ۲. در همین ربات «📦 اشتراک‌های من» را باز کنید، اشتراک را انتخاب کنید و لینک اشتراک را لمس کنید تا کپی شود.
    ۳. در v2rayNG: منو ☰ ← تنظیمات گروه اشتراک ← + ← لینک را بچسبانید ← ذخیره؛ سپس ⋮ ← به‌روزرسانی اشتراک. در Hiddify: + ← افزودن از کلیپ‌بورد.
    ۴. یک سرور انتخاب کنید و دکمهٔ اتصال را بزنید.
help-ios-text = <b>آیفون / آیپد</b>
    ۱. برنامهٔ <b>Streisand</b> یا <b>V2Box</b> را از اپ‌استور نصب کنید.
    ۲. لینک اشتراک را از «📦 اشتراک‌های من» کپی کنید.
    ۳. در Streisand: + ← افزودن از کلیپ‌بورد. در V2Box: Configs ← + ← وارد کردن لینک اشتراک.
    ۴. یک سرور انتخاب کنید و وصل شوید. می‌توانید کد QR ارسالی ربات را هم اسکن کنید.
help-windows-text = <b>ویندوز</b>
    ۱. برنامهٔ <b>v2rayN</b> (از صفحهٔ انتشار آن در گیت‌هاب) یا <b>Hiddify</b> را نصب کنید.
    ۲. لینک اشتراک را از «📦 اشتراک‌های من» کپی کنید.
    ۳. در v2rayN: Subscription group ← Subscription group settings ← Add ← لینک را بچسبانید ← OK، سپس Update subscription. در Hiddify: + ← افزودن از کلیپ‌بورد.
    ۴. یک سرور انتخاب کنید و System proxy یا حالت TUN را روشن کنید.
help-macos-text = <b>مک</b>
    ۱. برنامهٔ <b>Hiddify</b> یا <b>V2Box</b> را نصب کنید (در مک‌های اپل‌سیلیکون Streisand هم کار می‌کند).
    ۲. لینک اشتراک را از «📦 اشتراک‌های من» کپی کنید.
    ۳. آن را از کلیپ‌بورد در برنامه اضافه کنید و وصل شوید.
help-suburl-text = <b>لینک اشتراک</b>
    لینک اشتراک نشانی‌ای است که همهٔ کانفیگ‌های اشتراک شما را به برنامه می‌دهد. یک بار اضافه‌اش کنید: اگر سرورتان عوض شود یا تمدید کنید، برنامه با «به‌روزرسانی اشتراک» خودش به‌روز می‌شود. آن را به کسی ندهید: هر کس لینک را داشته باشد از حجم شما استفاده می‌کند.
help-faq-text = <b>سوالات متداول</b>
    <b>وصل نمی‌شود.</b> اشتراک را در برنامه به‌روزرسانی کنید و کانفیگ دیگری را امتحان کنید. اگر باز هم نشد، تیکت بزنید.
    <b>تأیید پرداخت چقدر طول می‌کشد؟</b> پرداخت‌های کارت به کارت معمولاً کمتر از یک ساعت بررسی می‌شوند.
    <b>می‌توانم چند اشتراک داشته باشم؟</b> بله، هر کدام با لینک جداگانه.
    <b>اکانت تست را دوباره می‌توانم بگیرم؟</b> خیر، برای هر حساب فقط یک بار است.
    <b>حجم یا زمانم تمام شد.</b> اشتراک را باز کنید و «تمدید» یا «حجم اضافه» را بزنید؛ لینک تغییر نمی‌کند.
