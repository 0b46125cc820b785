import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ServerKind, ServerStatus } from '../../entities/server.entity';

registerEnumType(ServerKind, { name: 'ServerKind', description: 'SUI = S-UI panel, XUI = 3x-ui panel.' });
registerEnumType(ServerStatus, {
  name: 'ServerStatus',
  description: 'Health from periodic probes: HEALTHY, DEGRADED (slow or flaky), DOWN (failing; no new placements), UNKNOWN (not probed yet).',
});

@ObjectType({ description: 'An inbound as the panel reports it.' })
export class PanelInboundType {
  @Field({ description: "The panel's id of the inbound." })
  remoteId!: string;

  @Field()
  tag!: string;

  @Field()
  protocol!: string;

  @Field(() => Int)
  port!: number;

  @Field()
  remark!: string;

  @Field()
  enabled!: boolean;
}

@ObjectType({ description: 'A listening protocol/port of a panel, as last synced.' })
export class InboundType extends PanelInboundType {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  syncedAt!: Date;
}

@ObjectType({ description: 'A panel server. Its credentials are never returned.' })
export class ServerType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => ServerKind)
  kind!: ServerKind;

  @Field({ description: 'Panel URL including its web base path.' })
  baseUrl!: string;

  @Field()
  serverGroup!: string;

  @Field(() => Int, { description: 'Max subscriptions placed here.' })
  capacity!: number;

  @Field(() => Int, { description: 'Subscriptions that take a slot (active, provisioning, disabled, depleted, expired).' })
  activeSubscriptions!: number;

  @Field(() => Float, { description: 'activeSubscriptions / capacity.' })
  load!: number;

  @Field(() => ServerStatus)
  status!: ServerStatus;

  @Field()
  active!: boolean;

  @Field({ description: "Whether the panel's TLS certificate is verified." })
  tlsVerify!: boolean;

  @Field(() => String, { nullable: true })
  detectedVersion!: string | null;

  @Field(() => String, { nullable: true, description: 'Adapter profile: S-UI 1.2–1.5, 3x-ui G2–G6.' })
  versionProfile!: string | null;

  @Field(() => Date, { nullable: true })
  lastCheckedAt!: Date | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType({ description: 'What a connection test found.' })
export class ServerTestResultType {
  @Field()
  reachable!: boolean;

  @Field()
  loggedIn!: boolean;

  @Field(() => String, { nullable: true })
  version!: string | null;

  @Field(() => String, { nullable: true })
  profile!: string | null;

  @Field(() => Int)
  latencyMs!: number;

  @Field(() => [PanelInboundType])
  inbounds!: PanelInboundType[];

  @Field(() => String, { nullable: true, description: 'Stable code of the failure, e.g. PANEL_AUTH_FAILED.' })
  errorCode!: string | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Which input to fix: WRONG_PATH (the server answers but no panel is at this web base path), UNREACHABLE (nothing answers at the host and port), WRONG_CREDENTIALS, UNSUPPORTED or REFUSED.',
  })
  failure?: string | null;
}

@InputType()
export class AddServerInput {
  @Field()
  name!: string;

  @Field(() => ServerKind)
  kind!: ServerKind;

  @Field({ description: 'Panel URL with its web base path, e.g. https://panel.example.com:2095/app/' })
  baseUrl!: string;

  @Field(() => String, { nullable: true })
  username?: string;

  @Field(() => String, { nullable: true })
  password?: string;

  @Field(() => String, { nullable: true, description: 'S-UI API token (apiv2) or 3x-ui Bearer token (v3.0+). Preferred over a password.' })
  apiToken?: string;

  @Field(() => String, { nullable: true, defaultValue: 'default' })
  serverGroup?: string;

  @Field(() => Int, { nullable: true, defaultValue: 100 })
  capacity?: number;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'Save even if the panel cannot be reached now.' })
  skipConnectionTest?: boolean;

  @Field(() => Boolean, { nullable: true, defaultValue: true, description: "Verify the panel's TLS certificate; false only for a self-signed certificate." })
  tlsVerify?: boolean;
}

@InputType()
export class UpdateServerInput {
  @Field(() => String, { nullable: true })
  name?: string;

  @Field(() => String, { nullable: true })
  baseUrl?: string;

  @Field(() => String, { nullable: true })
  username?: string;

  @Field(() => String, { nullable: true })
  password?: string;

  @Field(() => String, { nullable: true })
  apiToken?: string;

  @Field(() => String, { nullable: true })
  serverGroup?: string;

  @Field(() => Int, { nullable: true })
  capacity?: number;

  @Field(() => Boolean, { nullable: true })
  tlsVerify?: boolean;
}
