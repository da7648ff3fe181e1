import { Rule, RuleLevel } from './rule';

/**
 * A warning, not an error: an SNS topic's subscribers can also be added outside this app (a pager or
 * chat integration, AWS Chatbot), which the configuration cannot see. Only a configuration that says
 * so (`monitoring.alarmSubscribers: external`, no e-mail address) raises it: by default a site's
 * monitoring stack takes a required `AlarmEmail` parameter instead (lib/plan/monitoring.ts). Acknowledge
 * the finding with where the alarms go. Without any subscriber, every alarm (nodes below plan, failed
 * health checks and launches, status checks, idle reservations, storage) changes state and reaches no one.
 */
export const noAlarmSubscriber: Rule = {
  code: 'RAIN-W701',
  level: RuleLevel.WARNING,
  name: 'no-alarm-subscriber',
  explanation:
    'monitoring.alarmSubscribers is `external` and monitoring.emailSubscriptions is empty: this app subscribes no one to the alarm topics, so alarms and failed-launch events reach a person only through a subscription made outside it. CloudWatch alarm actions only publish to the topic (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html); a person is reached only through a subscription. Acknowledge with the integration named, or leave alarmSubscribers at `parameter` so each monitoring stack requires an `AlarmEmail` at deployment.',
  check: (config) =>
    config.monitoring.emailSubscriptions.length > 0 || config.monitoring.alarmSubscribers !== 'external'
      ? []
      : [
          {
            path: 'monitoring.alarmSubscribers',
            given: 'external (no subscriber this app knows of)',
            allowed:
              'an acknowledgement naming the pager or chat integration subscribed to the alarm topics outside this app; or `parameter` (a required AlarmEmail parameter per monitoring stack), or at least one address in monitoring.emailSubscriptions',
          },
        ],
};
