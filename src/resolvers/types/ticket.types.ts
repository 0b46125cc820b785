import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { TicketAuthor, TicketStatus } from '../../entities/ticket.entity';

registerEnumType(TicketStatus, { name: 'TicketStatus', description: 'OPEN: waiting for support; ANSWERED: support replied last; CLOSED.' });
registerEnumType(TicketAuthor, { name: 'TicketAuthor', description: 'Who wrote a message: the CUSTOMER or support (ADMIN).' });

@ObjectType({ description: 'One message of a support ticket.' })
export class TicketMessageType {
  @Field(() => ID) id!: string;
  @Field(() => TicketAuthor) author!: TicketAuthor;
  @Field() body!: string;
  @Field() createdAt!: Date;
}

@ObjectType({ description: 'A support conversation opened by a customer.' })
export class TicketType {
  @Field(() => ID) id!: string;
  @Field(() => ID) customerId!: string;
  @Field() subject!: string;
  @Field(() => TicketStatus) status!: TicketStatus;
  @Field() createdAt!: Date;
  @Field({ description: 'Time of the last message or status change.' }) updatedAt!: Date;
  @Field(() => [TicketMessageType], { description: 'The thread, oldest first.' }) messages!: TicketMessageType[];
}
