import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BroadcastAudience, BroadcastStatus } from '../../entities/broadcast.entity';

registerEnumType(BroadcastAudience, {
  name: 'BroadcastAudience',
  description: 'ALL reachable customers, those with an ACTIVE subscription, EXPIRED (had one, none active now), NEVER_BOUGHT (no paid plan yet).',
});
registerEnumType(BroadcastStatus, { name: 'BroadcastStatus' });

@ObjectType({ description: 'A message sent to many customers through the shop bot, with its delivery counts.' })
export class BroadcastType {
  @Field(() => ID) id!: string;
  @Field(() => BroadcastAudience) audience!: BroadcastAudience;
  @Field(() => BroadcastStatus) status!: BroadcastStatus;
  @Field({ description: 'The text as sent (Telegram HTML, escaped).' }) html!: string;
  @Field() hasPhoto!: boolean;
  @Field(() => Int, { description: 'Recipients counted when delivery started.' }) total!: number;
  @Field(() => Int) sent!: number;
  @Field(() => Int, { description: 'Recipients who blocked the bot (marked; later broadcasts skip them).' }) blocked!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
}
