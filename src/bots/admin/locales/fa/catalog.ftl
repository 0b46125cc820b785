## پلن‌ها و کدهای تخفیف
plans-title = 📦 <b>پلن‌ها</b> (برای دیدن یا تغییر، یکی را بزنید)
plans-none = هنوز پلنی نیست.
codes-title = 🏷 <b>کدهای تخفیف</b> (برای غیرفعال کردن بزنید)
codes-none = هنوز کد تخفیفی نیست.

## جزئیات پلن، ویرایش و جادوی افزودن پلن
plan-add = ➕ افزودن پلن
plan-detail = 📦 <b>{ $titleFa }</b> / { $titleEn }
    کد: <code>{ $code }</code> — { $status }
    💵 قیمت: { $price }
    📊 حجم: { $traffic }
    📅 روز: { $days }
    📱 دستگاه: { $devices }
    🖥 گروه سرور: { $group }
    🎁 پلن آزمایشی: { $trial }
plan-active = 🟢 در فروش
plan-inactive = ⏸ خارج از فروش
plan-trial-yes = بله
plan-trial-no = خیر
plan-edit-price = 💵 قیمت
plan-edit-traffic = 📊 حجم
plan-edit-days = 📅 روز
plan-edit-devices = 📱 دستگاه
plan-edit-title-fa = 🇮🇷 عنوان فارسی
plan-edit-title-en = 🇬🇧 عنوان انگلیسی
plan-edit-ask-title-fa = ✏️ عنوان فارسی تازه‌ای را که مشتری می‌بیند بفرستید (۱ تا ۱۰۰ نویسه):
plan-edit-ask-title-en = ✏️ عنوان انگلیسی تازه را بفرستید (۱ تا ۱۰۰ نویسه):
plan-activate = ▶️ قرار دادن در فروش
plan-deactivate = ⏸ خارج کردن از فروش
plan-activated = در فروش است.
plan-deactivated = از فروش خارج شد.
plan-now = اکنون: { $value }
plan-saved-limit = ✅ ذخیره شد.
plan-unlimited = ∞ نامحدود
plan-save = ✅ ذخیرهٔ پلن
plan-created = ✅ پلن <code>{ $code }</code> ساخته شد.
plan-ask-code = 📦 پلن جدید (۱/۹). یک کد کوتاه بفرستید: حروف لاتین، رقم، - و _ (مثلاً <code>month-50</code>).
plan-ask-title-fa = 📦 (۲/۹) عنوان فارسی که مشتری می‌بیند:
plan-ask-title-en = 📦 (۳/۹) عنوان انگلیسی:
plan-ask-traffic = 📊 حجم به گیگابایت (۰ یا دکمهٔ نامحدود):
plan-ask-days = 📅 چند روز اعتبار دارد؟ (۱ تا ۳۶۵۰)
plan-ask-devices = 📱 چند دستگاه همزمان؟ (۰ یا دکمهٔ نامحدود، حداکثر ۱۰۰۰)
plan-ask-price = 💵 قیمت به تومان (عدد صحیح، ۰ برای رایگان):
plan-ask-group = 🖥 کدام گروه سرور میزبان آن باشد؟ یکی را انتخاب کنید یا نام گروه را بنویسید.
plan-ask-trial = 🎁 آیا این پلن آزمایشی رایگان است؟ (پلن آزمایشی در فهرست فروش نمی‌آید)
plan-confirm = 📦 <b>این پلن ساخته شود؟</b>
    { $titleFa } / { $titleEn } (<code>{ $code }</code>)
    💵 { $price } · 📊 { $traffic } · 📅 { $days } روز · 📱 { $devices }
    🖥 { $group } · 🎁 آزمایشی: { $trial }
plan-bad-code = ⚠️ کد باید ۱ تا ۵۰ حرف لاتین، رقم، - یا _ باشد و با حرف یا رقم شروع شود.
plan-bad-title-fa = ⚠️ عنوان باید ۱ تا ۱۰۰ نویسه باشد.
plan-bad-title-en = ⚠️ عنوان باید ۱ تا ۱۰۰ نویسه باشد.
plan-bad-traffic = ⚠️ حجم را به گیگابایت و به عدد بفرستید، مثلاً ۵۰ یا 0.5 (۰ = نامحدود).
plan-bad-days = ⚠️ مدت باید عدد صحیحی از ۱ تا ۳۶۵۰ روز باشد.
plan-bad-devices = ⚠️ تعداد دستگاه باید عدد صحیحی از ۰ (نامحدود) تا ۱۰۰۰ باشد.
plan-bad-price = ⚠️ قیمت باید عدد صحیحی از ۰ تا ۲٬۰۰۰٬۰۰۰٬۰۰۰ تومان باشد.
plan-bad-group = ⚠️ نام گروه سرور ۱ تا ۵۰ حرف لاتین، رقم، - یا _ است.

## جادوی ساخت کد تخفیف
code-add = ➕ کد جدید
code-until = تا { $date }
code-disabled = غیرفعال شد.
code-kind-percent = ٪ درصدی
code-kind-amount = 💵 مبلغ ثابت
code-no-limit = ∞ بدون محدودیت
code-save = ✅ ساخت کد
code-created = ✅ کد <code>{ $code }</code> ساخته شد.
code-ask-code = 🏷 کد تخفیف جدید. کدی را که مشتری وارد می‌کند بفرستید: ۳ تا ۳۲ حرف لاتین، رقم، - یا _.
code-ask-kind = 🏷 درصدی یا مبلغ ثابت؟
code-ask-value-percent = ٪ چند درصد تخفیف؟ (۱ تا ۱۰۰)
code-ask-value-amount = 💵 چند تومان تخفیف؟
code-ask-uses = 🔢 روی هم چند بار قابل استفاده است؟ (یا بدون محدودیت)
code-ask-start = 🕒 از کی شروع شود؟ تعداد روز تا شروع را بفرستید (۱ تا ۳۶۵)، یا «از همین حالا».
code-start-now = ▶️ از همین حالا
code-starts-at-once = از همین حالا
code-ask-days = 📅 از شروع چند روز معتبر است؟ (یا بدون انقضا)
code-confirm = 🏷 <b>این کد ساخته شود؟</b>
    <code>{ $code }</code> — { $off } تخفیف
    🔢 دفعات: { $uses } · 🕒 شروع: { $start } · 📅 روزهای اعتبار: { $days }
    📦 پلن‌ها: { $plans }
code-bad-code = ⚠️ کد باید ۳ تا ۳۲ حرف لاتین، رقم، - یا _ باشد.
code-bad-value-percent = ⚠️ درصد باید عدد صحیحی از ۱ تا ۱۰۰ باشد.
code-bad-value-amount = ⚠️ مبلغ باید عدد صحیح و دست‌کم ۱ تومان باشد.
code-bad-uses = ⚠️ تعداد دفعات باید عدد صحیح و دست‌کم ۱ باشد.
code-bad-days = ⚠️ تعداد روزها باید عدد صحیحی از ۱ تا ۳۶۵۰ باشد.
code-bad-start = ⚠️ شروع باید عدد صحیحی از ۱ تا ۳۶۵ روز باشد، یا «از همین حالا».
code-ask-plans = 📦 برای کدام پلن‌ها معتبر باشد؟ بزنید تا انتخاب شود؛ اگر هیچ‌کدام انتخاب نشود، برای همهٔ پلن‌ها.
code-plans-done = ✔️ تمام
code-all-plans = همهٔ پلن‌ها
