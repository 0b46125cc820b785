## بررسی پرداخت
pay-approve = ✅ تایید
pay-reject = ❌ رد
pay-approved = ✅ تایید شد. پیام همه مدیران به‌روز می‌شود.
pay-rejected = ❌ رد شد. دلیل برای مشتری ارسال شد.
pay-already-approved = قبلاً بررسی شده: { $name } تایید کرده است.
pay-already-rejected = قبلاً بررسی شده: { $name } رد کرده است.
pay-ask-reason = دلیل رد چیست؟ یکی را انتخاب کنید یا بنویسید (مشتری آن را می‌خواند).
pay-reason-rr0 = مبلغ مطابقت ندارد
pay-reason-rr1 = رسید خوانا نیست
pay-reason-rr2 = واریزی دریافت نشد
pay-reason-rr3 = این رسید قبلاً استفاده شده
pay-queue-title = 💰 <b>رسیدهای در انتظار</b>: { $count } (قدیمی‌ترین اول)
pay-queue-empty = چیزی در انتظار نیست. 🎉
pay-not-waiting = این رسید دیگر در انتظار نیست.
pay-receipt = 🧾 سفارش #{ $order }
    👤 { $customer }
    📦 { $plan }
    💵 <b>{ $amount }</b>
    🔢 کد پیگیری: { $tracking }
    📅 ارسال: { $submitted }
