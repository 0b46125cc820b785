import { BigIntType } from '@mikro-orm/core';

/**
 * Column helpers shared by entities.
 * Traffic and Telegram ids are Postgres `bigint` mapped to JS numbers (exact up to 2^53, i.e. 9 PB
 * of traffic); money is integer Toman (`integer`, or `bigint` where sums may grow); times are `timestamptz`.
 */
export const bigintNumber = () => new BigIntType('number');

/** Roles of API principals. ADMIN_BOT keys act as an admin, USER_BOT keys as a customer. */
export enum Role {
  ADMIN = 'ADMIN',
  SUPPORT = 'SUPPORT',
  RESELLER = 'RESELLER',
  USER_BOT = 'USER_BOT',
  ADMIN_BOT = 'ADMIN_BOT',
}

/** Roles a person in the admin bot can have. */
export enum AdminRole {
  ADMIN = 'ADMIN',
  SUPPORT = 'SUPPORT',
}
