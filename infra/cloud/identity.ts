import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { CLAIMS } from '../../functions/shared/auth/principal.js';

/** Identity settings that differ between stages. */
export interface IdentityProps {
  /** Prod requires a second factor; dev keeps it optional so test users are quick to create. */
  readonly requireMfa: boolean;
  /** Keep the user pool when the stack goes away (every user's tenant and role live in it). */
  readonly retainData: boolean;
}

/** The `custom:` prefix is Cognito's; the attribute itself is declared without it. */
const attr = (claim: string): string => claim.replace(/^custom:/, '');

/**
 * The Cognito user pool whose ID tokens carry the claims `principal.ts` reads (`custom:tenantId`,
 * `custom:role`…), and the app client front ends sign in with. The API verifies the ID token itself
 * against the pool's JWKS (issuer + audience = this client), exactly as it verifies the local issuer's
 * tokens, so the handlers cannot tell the hosts apart.
 */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  /** `iss` of the pool's tokens. */
  readonly issuer: string;
  readonly jwksUrl: string;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'user-pool', {
      // Admins create users (with their tenant and role); nobody signs themselves into a tenant.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: props.requireMfa ? Mfa.REQUIRED : Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: props.retainData,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      customAttributes: {
        // Who the user is and which tenant they belong to never change for an account.
        [attr(CLAIMS.tenantId)]: new StringAttribute({ minLen: 1, maxLen: 64, mutable: false }),
        [attr(CLAIMS.userId)]: new StringAttribute({ minLen: 1, maxLen: 64, mutable: false }),
        // Role, reach and place in the org tree follow promotions and moves.
        [attr(CLAIMS.role)]: new StringAttribute({ minLen: 1, maxLen: 32, mutable: true }),
        [attr(CLAIMS.scope)]: new StringAttribute({ minLen: 1, maxLen: 32, mutable: true }),
        [attr(CLAIMS.branchId)]: new StringAttribute({ maxLen: 64, mutable: true }),
        [attr(CLAIMS.regionId)]: new StringAttribute({ maxLen: 64, mutable: true }),
        [attr(CLAIMS.partnerId)]: new StringAttribute({ maxLen: 64, mutable: true }),
      },
    });

    this.client = this.userPool.addClient('web-client', {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes(...Object.values(CLAIMS).map(attr)),
      // Users may edit their name, never their tenant, role or scope: those are written by admins
      // (AdminUpdateUserAttributes), otherwise anyone could promote themselves through the client.
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });

    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;
  }
}
