## پیام همگانی
bc-ask-text = 📣 پیام را بفرستید: متن، یا عکس با توضیح.
bc-ask-audience = چه کسانی دریافت کنند؟
bc-aud-all = 👥 همه
bc-aud-active = 📶 دارای اشتراک فعال
bc-aud-expired = ⌛ منقضی‌شده‌ها
bc-aud-never-bought = 🆕 هرگز نخریده‌اند
bc-preview = 📣 به <b>{ $audience }</b>: { $count } مشتری. پیش‌نمایش:
bc-send = 📤 ارسال
bc-queued = 📣 در صف قرار گرفت. پیشرفت و گزارش نهایی همین‌جا می‌آید.
