import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TABLE } from '../../functions/shared/table-design.js';

/** Storage settings that differ between a throwaway stage and one that holds real data. */
export interface StorageProps {
  /**
   * Whether the data must outlive the stack: deletion protection and RETAIN on the table and the
   * buckets. False only for dev, where `cdk destroy` should leave nothing behind.
   */
  readonly retainData: boolean;
  /** Days a generated report stays downloadable; links are short-lived, the files need not be kept. */
  readonly reportRetentionDays?: number;
}

/**
 * The one table (key schema, indexes, TTL and stream taken from the table design, as the local stack
 * does) and the two buckets. Nothing has a physical name, so stages coexist in one account.
 */
export class Storage extends Construct {
  readonly table: Table;
  /** Generated reports (PDF/XLSX), handed out through signed links. */
  readonly reportsBucket: Bucket;
  /** Raw insurer webhook bodies, kept for audit and replay. */
  readonly archiveBucket: Bucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.table = new Table(this, 'table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: TABLE.ttl,
      deletionProtection: props.retainData,
      removalPolicy,
    });
    for (const [indexName, index] of Object.entries(TABLE.indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    const common = {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: false,
      removalPolicy,
      autoDeleteObjects: false,
    };
    this.reportsBucket = new Bucket(this, 'reports-bucket', {
      ...common,
      lifecycleRules: [
        {
          id: 'expire-reports',
          expiration: Duration.days(props.reportRetentionDays ?? 30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    this.archiveBucket = new Bucket(this, 'archive-bucket', {
      ...common,
      lifecycleRules: [
        {
          id: 'archive-webhooks',
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          transitions: [
            { storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
            { storageClass: StorageClass.GLACIER, transitionAfter: Duration.days(180) },
          ],
        },
      ],
    });
  }
}
