import { useTranslation } from "react-i18next";

/**
 * The texts the default plan ships with, in Portuguese, and their keys. A plan that still carries one of them
 * shows it in the reader's language; a text the provider wrote itself is their data and shows as written.
 */
const shipped: Record<string, string> = {
  Crítico: "critical",
  Alto: "high",
  Médio: "medium",
  Baixo: "low",
  "Nível 1: Suporte Básico": "tierL1",
  "Nível 2: Suporte Técnico": "tierL2",
  "Nível 3: Suporte Especializado": "tierL3",
  "Horário comercial": "businessHours",
  "Sistema indisponível ou função crítica afetada": "criticalDescription",
  "Função importante afetada, com impacto significativo": "highDescription",
  "Função secundária afetada, com impacto limitado": "mediumDescription",
  "Problema menor, sem impacto operacional": "lowDescription",
  "Atendimento inicial": "initialContact",
  "Resolução de problemas simples": "simpleProblems",
  "Coleta de informações": "gatherInformation",
  "Resolução de problemas técnicos": "technicalProblems",
  "Configurações avançadas": "advancedSettings",
  "Resolução de problemas complexos": "complexProblems",
  "Intervenções no código": "codeChanges",
  "Correções de bugs": "bugFixes",
  "Dúvidas sobre uso da plataforma": "usageQuestions",
  "Problemas de login": "loginProblems",
  "Configurações básicas de ramais e troncos": "basicExtensions",
  "Problemas de integração com troncos SIP": "sipTrunkIntegration",
  "Falhas em funcionalidades específicas": "featureFailures",
  "Configurações avançadas de monitoramento": "advancedMonitoring",
  "Bugs críticos no sistema": "criticalBugs",
  "Problemas de desempenho": "performanceProblems",
  "Falhas de segurança": "securityFlaws",
};

const channels = ["email", "chat", "phone", "ticket", "scheduled_call"] as const;
const notifyTargets = ["assignee", "noc", "manager", "admin", "emergencyContacts", "L1", "L2", "L3"] as const;

/** The plan's texts and ids (names, descriptions, channels, who is notified) in the reader's language. */
export function usePlanLabels() {
  const { t } = useTranslation();
  const text = (value: string) => {
    const key = shipped[value];
    return key ? t(`plan.shipped.${key}` as "plan.shipped.critical") : value;
  };
  return {
    text,
    severity: (id: string, name?: string) => text(name ?? id),
    tier: (id: string, name?: string) => text(name ?? id),
    calendar: (id: string, name?: string) => text(name ?? id),
    channel: (c: string) =>
      (channels as readonly string[]).includes(c) ? t(`plan.channelNames.${c as (typeof channels)[number]}`) : c,
    notify: (who: string) =>
      (notifyTargets as readonly string[]).includes(who)
        ? t(`plan.notifyTargets.${who as (typeof notifyTargets)[number]}`)
        : who,
  };
}
