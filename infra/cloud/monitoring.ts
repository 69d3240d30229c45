import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CatalogFunction } from './catalog-functions.js';

/** Props of {@link Monitoring}. */
export interface MonitoringProps {
  readonly functions: readonly CatalogFunction[];
  /** Direct stream readers: their iterator age says how far behind the table they are. */
  readonly streamReaders: readonly CatalogFunction[];
  /** Every failure queue, by a short label: any message in one is a change or job that was dropped. */
  readonly failureQueues: ReadonlyArray<{ readonly label: string; readonly queue: IQueue }>;
  /** Iterator age (ms) above which the stream reader counts as lagging. */
  readonly maxIteratorAgeMs?: number;
  /** Optional e-mail address subscribed to the alarm topic. */
  readonly alarmEmail?: string | undefined;
}

/**
 * Alarms that say something is lost or late: function errors and throttles, stream iterator age,
 * and failure-queue depth. They all notify one topic, which operators subscribe to.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new Topic(this, 'alarm-topic', { displayName: 'Broker CRM alarms', enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);
    const add = (alarm: Alarm): void => {
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
    };
    const period = Duration.minutes(5);

    for (const { spec, fn } of props.functions) {
      add(
        new Alarm(this, `${spec.name}-errors`, {
          alarmDescription: `${spec.name}: invocations failed`,
          metric: fn.metricErrors({ period, statistic: 'Sum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
      add(
        new Alarm(this, `${spec.name}-throttles`, {
          alarmDescription: `${spec.name}: invocations throttled`,
          metric: fn.metricThrottles({ period, statistic: 'Sum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    for (const { spec, fn } of props.streamReaders) {
      add(
        new Alarm(this, `${spec.name}-iterator-age`, {
          alarmDescription: `${spec.name}: lagging behind the table stream`,
          metric: fn.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
          threshold: props.maxIteratorAgeMs ?? 60_000,
          evaluationPeriods: 5,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    for (const { label, queue } of props.failureQueues) {
      add(
        new Alarm(this, `${label}-failure-queue-depth`, {
          alarmDescription: `${label}: messages in the failure queue (dropped changes or jobs)`,
          metric: queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
          threshold: 0,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
      // A message left for an hour means nobody has moved it to the failure store (README, "Failed
      // changes"); a stream pointer older than the stream's 24 h retention can no longer be read back.
      add(
        new Alarm(this, `${label}-failure-queue-age`, {
          alarmDescription: `${label}: a failure has waited over an hour in the failure queue`,
          metric: queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
          threshold: 3600,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }
}
