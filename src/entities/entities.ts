import { Admin } from './admin.entity';
import { ApiKey } from './api-key.entity';
import { ApiKeyRate } from './api-key-rate.entity';
import { AuditLog } from './audit-log.entity';
import { BotSession } from './bot-session.entity';
import { Broadcast } from './broadcast.entity';
import { Customer } from './customer.entity';
import { DiscountCode } from './discount-code.entity';
import { Evacuation } from './evacuation.entity';
import { Inbound } from './inbound.entity';
import { LedgerEntry } from './ledger-entry.entity';
import { Notification } from './notification.entity';
import { Order } from './order.entity';
import { Payment } from './payment.entity';
import { Plan } from './plan.entity';
import { Receipt } from './receipt.entity';
import { Reseller } from './reseller.entity';
import { Server } from './server.entity';
import { Setting } from './setting.entity';
import { Subscription } from './subscription.entity';
import { Ticket, TicketMessage } from './ticket.entity';
import { UsageSample } from './usage-sample.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WorkerHeartbeat } from './worker-heartbeat.entity';

/** Every entity class, for the ORM config. */
export const ALL_ENTITIES = [
  Admin,
  ApiKey,
  ApiKeyRate,
  AuditLog,
  BotSession,
  Broadcast,
  Customer,
  DiscountCode,
  Evacuation,
  Inbound,
  LedgerEntry,
  Notification,
  Order,
  Payment,
  Plan,
  Receipt,
  Reseller,
  Server,
  Setting,
  Subscription,
  Ticket,
  TicketMessage,
  UsageSample,
  WebhookDelivery,
  WorkerHeartbeat,
];
