import { Rule, RuleLevel } from './rule';

/**
 * A warning, not an error: an SNS topic's subscribers can also be added outside this app (a pager or
 * chat integration, AWS Chatbot), which the configuration cannot see. Acknowledge the finding with
 * where the alarms go. Without any subscriber, every alarm (nodes below plan, failed health checks
 * and launches, status checks, idle reservations, storage) changes state and reaches no one.
 */
export const noAlarmSubscriber: Rule = {
  code: 'RAIN-W701',
  level: RuleLevel.WARNING,
  name: 'no-alarm-subscriber',
  explanation:
    'monitoring.emailSubscriptions is empty: the alarm topics have no subscriber this configuration knows of, so alarms and failed-launch events are published to no one. CloudWatch alarm actions only publish to the topic (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html); a person is reached only through a subscription.',
  check: (config) =>
    config.monitoring.emailSubscriptions.length > 0
      ? []
      : [
          {
            path: 'monitoring.emailSubscriptions',
            given: 'no subscriber',
            allowed: 'at least one e-mail address, or an acknowledgement saying which pager or chat integration is subscribed to the alarm topics outside this app',
          },
        ],
};
