import type { Rendered } from "./templates.js";

/**
 * Payload shapes of webhook notifications: Plantão's own JSON, or what the incoming webhooks of Slack,
 * Microsoft Teams (Workflows / Power Automate, Adaptive Card), Telegram (Bot API `sendMessage`; put the
 * `chat_id` in the webhook URL's query) and Discord accept. Pure functions over a rendered template.
 */
export const flavours = ["plantao", "slack", "teams", "telegram", "discord"] as const;
export type Flavour = (typeof flavours)[number];

export interface WebhookNotification {
  id: string;
  template: string;
  kind: string;
  locale: string;
  params: Record<string, unknown>;
  thread: string | null;
  createdAt: string;
}

const telegramEscape = (text: string) =>
  text.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
/** Slack's mrkdwn treats only &, < and > specially. */
const slackEscape = telegramEscape;

export function chatPayload(flavour: Flavour, n: WebhookNotification, r: Rendered): unknown {
  const text = r.paragraphs.join("\n");
  switch (flavour) {
    case "slack":
      return {
        text: `${r.subject}\n${text}`,
        blocks: [
          { type: "header", text: { type: "plain_text", text: r.subject.slice(0, 150) } },
          { type: "section", text: { type: "mrkdwn", text: slackEscape(text).slice(0, 3000) } },
          ...(r.action
            ? [{ type: "section", text: { type: "mrkdwn", text: `<${r.action.url}|${slackEscape(r.action.label)}>` } }]
            : []),
        ],
      };
    case "teams":
      return {
        type: "message",
        attachments: [
          {
            contentType: "application/vnd.microsoft.card.adaptive",
            content: {
              $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
              type: "AdaptiveCard",
              version: "1.4",
              body: [
                { type: "TextBlock", text: r.subject, weight: "Bolder", size: "Medium", wrap: true },
                ...r.paragraphs.map((p) => ({ type: "TextBlock", text: p, wrap: true })),
              ],
              ...(r.action ? { actions: [{ type: "Action.OpenUrl", title: r.action.label, url: r.action.url }] } : {}),
            },
          },
        ],
      };
    case "telegram":
      return {
        text: `<b>${telegramEscape(r.subject)}</b>\n${telegramEscape(text)}${
          r.action ? `\n<a href="${telegramEscape(r.action.url)}">${telegramEscape(r.action.label)}</a>` : ""
        }`.slice(0, 4096),
        parse_mode: "HTML",
        disable_web_page_preview: true,
      };
    case "discord":
      return {
        content: r.subject.slice(0, 2000),
        allowed_mentions: { parse: [] },
        embeds: [
          {
            title: r.subject.slice(0, 256),
            description: text.slice(0, 4096),
            ...(r.action ? { url: r.action.url } : {}),
            timestamp: n.createdAt,
          },
        ],
      };
    default:
      return {
        id: n.id,
        type: "notification",
        template: n.template,
        kind: n.kind,
        locale: n.locale,
        thread: n.thread,
        createdAt: n.createdAt,
        params: n.params,
        subject: r.subject,
        text,
      };
  }
}
