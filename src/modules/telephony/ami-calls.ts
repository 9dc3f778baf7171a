import { type AmiMessage, amiTimestamp } from "./ami-protocol.js";

/** One step of a call, whichever PBX told it: the webhook's body and what the AMI events map to. */
export interface CallEvent {
  callId: string;
  event: "ringing" | "answered" | "hangup";
  at: string;
  from: string;
  to: string;
  queue?: string;
  /** The agent by email (the webhook) or by the PBX interface that rang or answered (`PJSIP/1001`). */
  agentEmail?: string;
  agentInterface?: string;
  recordingUrl?: string;
  /** The caller left a queue before an agent answered (QueueCallerAbandon). */
  abandoned?: boolean;
  durationSeconds?: number;
}

interface Tracked {
  from: string;
  to: string;
  queue?: string;
  answered: boolean;
  abandoned: boolean;
  ended: boolean;
  rang: Set<string>;
}

/** `PJSIP/1001-0000002a` → `PJSIP/1001`; `Local/1001@from-queue-00000004;1` → `Local/1001@from-queue`. */
export function interfaceOf(channel: string | undefined): string | undefined {
  if (!channel) return undefined;
  return channel.replace(/;\d+$/, "").replace(/-[0-9a-f]{8}$/i, "");
}

const known = (v: string | undefined) => (v && v !== "<unknown>" ? v : undefined);

/**
 * Maps the Asterisk 12+ channel and bridge events of one AMI session to call steps, keyed by `Linkedid` (the
 * whole call): the originating channel's caller id and dialled extension; `AgentCalled` or `DialBegin` rings an
 * agent, `AgentConnect`, a `DialEnd` with ANSWER or a second party's `BridgeEnter` answers, `QueueCallerAbandon`
 * marks the caller gone, the originating channel's `Hangup` ends the call, and a `Cdr` closes a call whose start
 * this session missed (it connected mid-call). Steps may repeat after a reconnect: the service drops duplicates.
 */
export class AmiCallTracker {
  readonly #calls = new Map<string, Tracked>();
  /** Calls this session saw end, newest last: their CDR adds nothing. Bounded, oldest dropped first. */
  readonly #ended = new Set<string>();

  constructor(private readonly now: () => Date) {}

  /** The call steps one AMI event yields (often none). */
  consume(m: AmiMessage): CallEvent[] {
    const type = m.event?.toLowerCase();
    if (!type) return [];
    const at = (amiTimestamp(m) ?? this.now()).toISOString();
    if (type === "cdr") return this.#cdr(m, at);
    const linkedid = m.linkedid ?? m.uniqueid;
    if (!linkedid) return [];
    const call = this.#track(linkedid, m);
    const step = (event: CallEvent["event"], extra: Partial<CallEvent> = {}): CallEvent => ({
      callId: linkedid,
      event,
      at,
      from: call.from,
      to: call.to,
      ...(call.queue ? { queue: call.queue } : {}),
      ...extra,
    });
    switch (type) {
      case "queuecallerjoin":
        call.queue = m.queue ?? call.queue;
        return [];
      case "agentcalled":
      case "dialbegin": {
        if (call.answered || call.ended) return [];
        if (type === "agentcalled") call.queue = m.queue ?? call.queue;
        const agent = interfaceOf(m.interface ?? m.destchannel);
        if (!agent || call.rang.has(agent)) return [];
        call.rang.add(agent);
        return [step("ringing", { agentInterface: agent })];
      }
      case "agentconnect":
      case "dialend":
      case "bridgeenter": {
        if (call.answered || call.ended) return [];
        if (type === "dialend" && m.dialstatus?.toUpperCase() !== "ANSWER") return [];
        // A BridgeEnter answers only when the second party enters (the first waits alone in the bridge).
        if (type === "bridgeenter" && Number(m.bridgenumchannels ?? "0") < 2) return [];
        call.answered = true;
        const agent =
          type === "agentconnect"
            ? interfaceOf(m.interface)
            : type === "dialend"
              ? interfaceOf(m.destchannel)
              : m.uniqueid !== linkedid
                ? interfaceOf(m.channel)
                : undefined;
        return [step("answered", agent ? { agentInterface: agent } : {})];
      }
      case "queuecallerabandon":
        call.abandoned = true;
        call.queue = m.queue ?? call.queue;
        return [];
      case "hangup": {
        if (m.uniqueid !== linkedid || call.ended) return [];
        call.ended = true;
        this.#calls.delete(linkedid);
        this.#ended.add(linkedid);
        if (this.#ended.size > 10_000) this.#ended.delete(this.#ended.values().next().value!);
        return [step("hangup", call.abandoned ? { abandoned: true } : {})];
      }
      default:
        return [];
    }
  }

  #track(linkedid: string, m: AmiMessage): Tracked {
    let call = this.#calls.get(linkedid);
    if (!call) {
      // Any channel event carries the snapshot; the originating channel's is the call's own.
      const own = m.uniqueid === linkedid;
      call = {
        from: (own ? known(m.calleridnum) : known(m.connectedlinenum)) ?? "",
        to: (own ? known(m.exten) : undefined) ?? "",
        answered: false,
        abandoned: false,
        ended: false,
        rang: new Set(),
      };
      this.#calls.set(linkedid, call);
    } else if (m.uniqueid === linkedid) {
      call.from ||= known(m.calleridnum) ?? "";
      if (!call.to && known(m.exten) && m.exten !== "s") call.to = m.exten!;
    }
    return call;
  }

  /** A CDR of a call this session did not see end: its answer and hangup, so the call log has it. */
  #cdr(m: AmiMessage, at: string): CallEvent[] {
    const id = m.uniqueid;
    if (!id || this.#ended.has(id)) return [];
    const tracked = this.#calls.get(id);
    this.#calls.delete(id);
    const base = {
      callId: id,
      at,
      from: tracked?.from || (known(m.source) ?? ""),
      to: tracked?.to || (known(m.destination) ?? ""),
      ...(tracked?.queue ? { queue: tracked.queue } : {}),
    };
    const duration = Number(m.billableseconds);
    const answered = m.disposition?.toUpperCase() === "ANSWERED";
    const agent = interfaceOf(m.destinationchannel);
    return [
      ...(answered && !tracked?.answered
        ? [{ ...base, event: "answered" as const, ...(agent ? { agentInterface: agent } : {}) }]
        : []),
      { ...base, event: "hangup", ...(Number.isFinite(duration) && answered ? { durationSeconds: duration } : {}) },
    ];
  }
}
