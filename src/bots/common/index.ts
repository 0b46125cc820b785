/**
 * What both bots share (the admin bot builds on it): the GraphQL client (bot key +
 * X-Telegram-User-Id, errors as stable codes), Fluent texts (common locales: navigation and a
 * text for every API error code), the error boundary, navigation keyboards and formatting of
 * money (Toman), traffic and Jalali/Gregorian dates.
 */
export * from './error-boundary';
export * from './format';
export * from './graphql-client';
export * from './i18n';
export * from './keyboards';
export * from './bot-runtime';
export * from './screens';
export * from './state-store';
export * from './chat-state';
