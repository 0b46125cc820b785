## تیکت‌های پشتیبانی
menu-tkt = 💬 تیکت‌ها
cmd-tickets = تیکت‌های باز پشتیبانی
tkt-title = 💬 <b>تیکت‌های در انتظار پاسخ</b>: { $count } (قدیمی‌ترین اول)
tkt-none = تیکتی در انتظار نیست. 🎉
tkt-thread = 💬 <b>{ $subject }</b> — { $status }
tkt-status-open = در انتظار پاسخ
tkt-status-answered = پاسخ داده شده
tkt-status-closed = بسته
tkt-reply = ✍️ پاسخ
tkt-close = ✅ بستن
tkt-customer = 👤 مشتری
tkt-ask-reply = ✍️ پاسخ را بنویسید (مشتری آن را در ربات فروشگاه دریافت می‌کند).
tkt-replied = ✍️ پاسخ ارسال شد.
tkt-closed = بسته شد.
