## داشبورد
dash-title = 📊 <b>داشبورد</b>
dash-customers = 👥 مشتری‌ها: { $total } (امروز: { $today })
dash-active-subs = 📶 اشتراک‌های فعال: { $count }
dash-revenue = 💵 درآمد امروز: { $today } · ۷ روز اخیر: { $week } · ۳۰ روز اخیر: { $month }
dash-orders-today = 🧾 سفارش‌های پرداخت‌شده امروز: { $count }
dash-receipts = 💰 رسیدهای در انتظار: { $count }
dash-failed = 🧯 سفارش‌های ناموفق: { $count }
dash-servers = 🖥 <b>سرورها</b> (فعال / ظرفیت، بار)
dash-no-servers = هنوز سروری نیست.
dash-refresh = 🔄 به‌روزرسانی
dash-refreshed = به‌روز شد
