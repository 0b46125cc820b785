import { showScreen, withNavigation } from '../common';
import type { ShopContext } from './context';
import { RequestTrialDocument } from './graphql/generated';

/** Free trial: once; the API refuses the second time (TRIAL_ALREADY_USED, shown by the error boundary). */
export async function takeTrial(ctx: ShopContext): Promise<void> {
  await ctx.shop.api.request(RequestTrialDocument);
  await showScreen(ctx, ctx.t('trial-started'), withNavigation((id, v) => ctx.t(id, v)));
}
