## مشتری‌ها
cust-ask-search = 🔎 شناسه تلگرام، @نام‌کاربری یا شماره سفارش را بفرستید.
cust-none-found = کسی پیدا نشد.
cust-found = { $count } مشتری پیدا شد:
cust-search-again = 🔎 جستجوی دوباره
cust-profile = 👤 <b>{ $name }</b>
    شناسه تلگرام: <code>{ $tg }</code>
    وضعیت: { $status }
    عضویت: { $joined }
    💰 کیف پول: { $balance }
cust-active = فعال
cust-banned = ⛔ مسدود
cust-subs = 📶 اشتراک‌ها: { $count }
cust-orders = 🧾 آخرین سفارش‌ها:
cust-ban = ⛔ مسدود کردن
cust-unban = ✅ رفع مسدودی
cust-banned-done = مسدود شد.
cust-unbanned-done = رفع مسدودی شد.
cust-message = ✉️ پیام
cust-wallet = 💰 اصلاح کیف پول
cust-grant = 🎁 هدیه پلن
cust-message-ask = ✉️ متن پیام برای این مشتری را بنویسید.
cust-message-sent = ✉️ از طریق ربات فروشگاه ارسال شد.
cust-wallet-ask-amount = 💰 چه مبلغی؟ عدد مثبت اضافه و عدد منفی کم می‌کند (تومان).
cust-wallet-bad-amount = این مبلغ نیست. یک عدد صحیح مثل 50000 یا -20000 بفرستید.
cust-wallet-ask-reason = دلیل؟ (در دفتر حساب ثبت می‌شود)
cust-wallet-confirm = کیف پول به اندازه <b>{ $amount }</b> اصلاح شود؟
    دلیل: { $reason }
cust-wallet-done = 💰 انجام شد. موجودی جدید: { $balance }
cust-grant-choose = 🎁 کدام پلن رایگان داده شود؟
cust-grant-done = 🎁 داده شد (سفارش #{ $order }). مشتری به‌زودی کانفیگ را دریافت می‌کند.
sub-detail = 📶 <b>{ $plan }</b> — { $status }
    🖥 { $server }
    📊 { $used } / { $quota } { $bar }
    📅 انقضا: { $expires }
    🔗 <code>{ $url }</code>
sub-enable = ▶️ فعال کردن
sub-disable = ⏸ غیرفعال کردن
sub-enabled = فعال شد.
sub-disabled = غیرفعال شد.
sub-reset = ♻️ صفر کردن حجم
sub-reset-queued = صفر کردن حجم در راه پنل است.
sub-extend = ➕ تمدید
sub-extend-ask = چند روز اضافه شود؟ (۱ تا ۳۶۵۰)
sub-extended = تمدید شد.
sub-refresh = 🔄 به‌روزرسانی
sub-customer = 👤 مشتری
cust-tickets = 💬 آخرین تیکت‌ها:
