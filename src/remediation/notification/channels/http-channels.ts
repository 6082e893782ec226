/**
 * The HTTP channels: a Slack incoming webhook (Block Kit message) and a generic webhook (the NR as
 * JSON, with an optional bearer token and an HMAC-SHA256 signature of the body). The URLs and keys
 * are read per delivery (files may rotate) and never appear in an error.
 */
import { createHmac } from 'node:crypto';
import type { NotificationRequest } from '../../../api/v1alpha1/index.ts';
import type { SlackConfig, WebhookConfig } from '../routing-config.ts';
import { postJson, type PostLimits } from './http-post.ts';
import { secretValue } from './secrets.ts';
import { slackMessage } from './slack-payload.ts';
import { webhookPayload } from './webhook-payload.ts';

export const SIGNATURE_HEADER = 'x-kubernaut-signature';
export const DELIVERY_HEADER = 'x-kubernaut-delivery';

export async function deliverToSlack(nr: NotificationRequest, config: SlackConfig, limits: PostLimits): Promise<void> {
  const url = (await secretValue(config.webhookUrl, config.webhookUrlFile, 'Slack webhook URL'))!;
  await postJson(url, JSON.stringify(slackMessage(nr, { channel: config.channel })), {}, { ...limits, what: 'Slack webhook' });
}

export async function deliverToWebhook(nr: NotificationRequest, config: WebhookConfig, delivery: { channel: string; attempt: number }, limits: PostLimits): Promise<void> {
  const url = (await secretValue(config.url, config.urlFile, 'webhook URL'))!;
  const token = await secretValue(config.bearerToken, config.bearerTokenFile, 'webhook bearer token');
  const hmacKey = await secretValue(config.hmacSecret, config.hmacSecretFile, 'webhook HMAC secret');
  const body = JSON.stringify(webhookPayload(nr, delivery));
  const headers: Record<string, string> = {
    // The same for every attempt of this channel: a receiver can drop a repeat after a restart.
    [DELIVERY_HEADER]: `${nr.metadata?.uid ?? nr.metadata?.name ?? '?'}/${delivery.channel}`,
  };
  if (token) headers.authorization = `Bearer ${token}`;
  if (hmacKey) headers[SIGNATURE_HEADER] = `sha256=${createHmac('sha256', hmacKey).update(body).digest('hex')}`;
  await postJson(url, body, headers, { ...limits, what: 'webhook', secrets: [token, hmacKey] });
}
