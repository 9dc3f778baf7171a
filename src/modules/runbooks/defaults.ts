import type { RunbookKind, StepInput } from "./schemas.js";

export interface DefaultRunbook {
  name: string;
  purpose: string;
  kind: RunbookKind;
  steps: Required<Pick<StepInput, "title" | "description" | "ownerRole" | "expectedMinutes">>[];
}

/**
 * The recovery checklists the plan asks for ("Procedimentos Documentados: Checklist de recuperação"),
 * in Portuguese as the plan is. Each fits inside the plan's RTO of 4 h; teams adapt them to their setup.
 */
export const defaultRunbooks: DefaultRunbook[] = [
  {
    name: "Recuperação completa da plataforma VoIP",
    purpose:
      "Reconstruir o serviço (PABX, bancos de dados, gravações e configurações) a partir dos backups depois da perda do ambiente principal. Metas do plano de continuidade: RTO de 4 horas e RPO de 1 hora.",
    kind: "full-recovery",
    steps: [
      {
        title: "Declarar o desastre e acionar a matriz de escalação",
        description:
          "Confirmar a perda do ambiente principal, abrir o incidente crítico, nomear o coordenador e avisar os contatos de emergência.",
        ownerRole: "manager",
        expectedMinutes: 15,
      },
      {
        title: "Comunicar os clientes",
        description: "Publicar o aviso na página de status e responder os tickets abertos sobre a indisponibilidade.",
        ownerRole: "manager",
        expectedMinutes: 10,
      },
      {
        title: "Provisionar a infraestrutura substituta",
        description: "Servidores, rede, endereços IP e armazenamento do ambiente de recuperação.",
        ownerRole: "noc",
        expectedMinutes: 60,
      },
      {
        title: "Escolher o ponto de restauração",
        description:
          "O snapshot verificado mais recente de cada classe de dados (`plantao backup list`); anotar a perda de dados (RPO medido).",
        ownerRole: "noc",
        expectedMinutes: 10,
      },
      {
        title: "Restaurar os bancos de dados",
        description:
          "`plantao backup restore` de cada banco no novo servidor, seguido da verificação de integridade e da contagem de linhas.",
        ownerRole: "noc",
        expectedMinutes: 45,
      },
      {
        title: "Restaurar configuração do PABX e gravações",
        description: "Arquivos de configuração, ramais, troncos, URAs e gravações; conferir permissões.",
        ownerRole: "noc",
        expectedMinutes: 30,
      },
      {
        title: "Reapontar DNS, troncos SIP e SBC",
        description: "Atualizar registros DNS, IPs autorizados nas operadoras e no SBC.",
        ownerRole: "noc",
        expectedMinutes: 20,
      },
      {
        title: "Validar o serviço",
        description:
          "Chamadas de teste entrantes e saintes, registro de ramais, qualidade de áudio e monitoramento sem alertas.",
        ownerRole: "noc",
        expectedMinutes: 20,
      },
      {
        title: "Encerrar e registrar lições aprendidas",
        description: "Comunicar o restabelecimento, atualizar a página de status e agendar o pós-incidente.",
        ownerRole: "manager",
        expectedMinutes: 15,
      },
    ],
  },
  {
    name: "Ativação do ambiente de contingência",
    purpose:
      "Passar o atendimento ao ambiente de contingência, mantido pronto para ativação, quando o ambiente principal não pode ser recuperado dentro do RTO.",
    kind: "contingency-activation",
    steps: [
      {
        title: "Decidir a ativação",
        description: "Confirmar a indisponibilidade do ambiente principal e registrar a decisão no incidente.",
        ownerRole: "manager",
        expectedMinutes: 10,
      },
      {
        title: "Conferir a prontidão da contingência",
        description:
          "Estado do monitor do ambiente de contingência e defasagem dos dados replicados em relação ao principal.",
        ownerRole: "noc",
        expectedMinutes: 10,
      },
      {
        title: "Promover a contingência a principal",
        description:
          "Promover a réplica dos bancos de dados e iniciar os serviços de PABX no ambiente de contingência.",
        ownerRole: "noc",
        expectedMinutes: 15,
      },
      {
        title: "Reapontar DNS, troncos SIP e SBC",
        description: "Direcionar o tráfego de sinalização e mídia para a contingência.",
        ownerRole: "noc",
        expectedMinutes: 20,
      },
      {
        title: "Validar chamadas e registros",
        description: "Chamadas de teste entrantes e saintes e registro dos ramais na contingência.",
        ownerRole: "noc",
        expectedMinutes: 15,
      },
      {
        title: "Comunicar os clientes",
        description: "Atualizar a página de status e os tickets do incidente.",
        ownerRole: "manager",
        expectedMinutes: 10,
      },
      {
        title: "Planejar o retorno ao ambiente principal",
        description: "Definir a janela de retorno (madrugada, 2h-5h) e a sincronização dos dados de volta.",
        ownerRole: "admin",
        expectedMinutes: 30,
      },
    ],
  },
  {
    name: "Restauração do próprio Plantão",
    purpose:
      "Recolocar o Plantão (tickets, SLAs, monitoramento, auditoria) no ar a partir dos seus backups, em um servidor novo ou no mesmo.",
    kind: "plantao-restore",
    steps: [
      {
        title: "Preparar o servidor e a chave secreta",
        description:
          "Instalar o Plantão na mesma versão e recolocar a chave secreta original (PLANTAO_SECRET_KEY ou <data>/secret.key): sem ela os segredos guardados não abrem.",
        ownerRole: "admin",
        expectedMinutes: 30,
      },
      {
        title: "Escolher o snapshot",
        description:
          "`plantao backup list` mostra os snapshots do banco do Plantão; escolher o verificado mais recente.",
        ownerRole: "admin",
        expectedMinutes: 5,
      },
      {
        title: "Restaurar o banco do Plantão",
        description:
          "`plantao backup restore` do snapshot escolhido para o banco configurado (PLANTAO_DATABASE_URL), com o serviço parado.",
        ownerRole: "admin",
        expectedMinutes: 20,
      },
      {
        title: "Verificar a integridade",
        description: "`plantao backup verify` e conferência das contagens de tickets e usuários.",
        ownerRole: "admin",
        expectedMinutes: 15,
      },
      {
        title: "Iniciar e validar",
        description: "`plantao start`; conferir /readyz, login, lista de tickets e a cadeia da auditoria.",
        ownerRole: "admin",
        expectedMinutes: 15,
      },
      {
        title: "Retomar backups e monitoramento",
        description: "Confirmar que os jobs de backup e as verificações de monitoramento voltaram a rodar.",
        ownerRole: "noc",
        expectedMinutes: 10,
      },
    ],
  },
];
