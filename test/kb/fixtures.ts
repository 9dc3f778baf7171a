/** A small pt-BR and English knowledge base about a VoIP provider's support, for the search acceptance tests. */
export const articles: Record<string, { title: string; body: string; locale?: "pt-BR" | "en" }> = {
  ramal: {
    title: "Configurações do ramal no softphone",
    body: "Para configurar um ramal no softphone, informe o usuário SIP, a senha e o domínio do servidor. Depois de salvar, o ramal registra em poucos segundos.",
  },
  senha: {
    title: "Como redefinir a senha do portal",
    body: "Esqueceu a senha? Na tela de login, clique em esqueci minha senha e siga o link enviado por e-mail. O link expira em uma hora.",
  },
  fatura: {
    title: "Segunda via da fatura e boletos",
    body: "As faturas mensais ficam no portal, em Financeiro. Você pode baixar a segunda via do boleto ou pagar com cartão.",
  },
  portabilidade: {
    title: "Portabilidade numérica: prazos e documentos",
    body: "A portabilidade de números fixos leva até cinco dias úteis. Envie a conta telefônica recente e o documento do titular.",
  },
  audio: {
    title: "Áudio mudo ou chamada sem som",
    body: "Quando a ligação completa mas não há áudio, verifique o NAT, as portas RTP liberadas no firewall e o codec negociado.",
  },
  queda: {
    title: "Chamadas caindo após 30 segundos",
    body: "Ligações que caem depois de trinta segundos costumam indicar ACK perdido: revise o SIP ALG do roteador e o keepalive.",
  },
  gravacao: {
    title: "Gravação de chamadas: ativar e baixar gravações",
    body: "Ative a gravação por ramal ou por fila. As gravações ficam disponíveis por noventa dias e podem ser baixadas em MP3.",
  },
  fila: {
    title: "Filas de atendimento e estratégias de distribuição",
    body: "Uma fila distribui as chamadas entre agentes por toque simultâneo, rodízio ou menor tempo ocioso.",
  },
  ura: {
    title: "Criar uma URA com menu de opções",
    body: "A unidade de resposta audível atende e oferece opções: crie os áudios, defina as teclas e o destino de cada opção.",
  },
  codec: {
    title: "Codecs suportados: G.711, G.729 e Opus",
    body: "Priorize G.711 em redes locais e Opus em conexões instáveis. O G.729 economiza banda com perda de qualidade.",
  },
  tronco: {
    title: "Tronco SIP: registro e autenticação",
    body: "O tronco SIP conecta seu PABX à operadora. Configure o registro com usuário e senha ou autenticação por IP.",
  },
  firewall: {
    title: "Regras de firewall para VoIP",
    body: "Libere a porta 5060 UDP para sinalização e a faixa 10000 a 20000 para mídia RTP. Bloqueie acessos SIP de países sem clientes.",
  },
  fraude: {
    title: "Prevenção de fraude em ligações internacionais",
    body: "Limite o destino de chamadas internacionais, use senhas fortes nos ramais e receba alertas de gasto anormal.",
  },
  eco: {
    title: "Eco e ruído durante a ligação",
    body: "Eco costuma vir do aparelho ou de atraso alto. Ajuste o cancelamento de eco e verifique a latência da rede.",
  },
  latencia: {
    title: "Latência, jitter e perda de pacotes",
    body: "Qualidade de voz depende de latência abaixo de 150 ms, jitter baixo e perda de pacotes menor que 1%.",
  },
  correio: {
    title: "Correio de voz: ouvir mensagens recebidas",
    body: "Disque *97 para acessar a caixa postal do seu ramal e ouvir as mensagens de voz. As mensagens também chegam por e-mail.",
  },
  desvio: {
    title: "Desvio de chamadas para celular",
    body: "Programe o desvio incondicional, quando ocupado ou quando não atender, para outro ramal ou número externo.",
  },
  horario: {
    title: "Horário de atendimento e feriados",
    body: "Defina o expediente da empresa e os feriados nacionais; fora do horário as ligações vão para a mensagem de encerramento.",
  },
  telefone: {
    title: "Provisionamento automático de telefones IP",
    body: "Os aparelhos Yealink e Grandstream baixam a configuração sozinhos pelo endereço de provisionamento.",
  },
  relatorio: {
    title: "Relatórios de ligações e bilhetagem",
    body: "O relatório de bilhetagem mostra origem, destino, duração e custo de cada chamada realizada ou recebida.",
  },
  usuario: {
    title: "Cadastrar usuários e permissões",
    body: "Administradores cadastram usuários, definem perfis e permissões de acesso ao painel.",
  },
  whatsapp: {
    title: "Integração com WhatsApp Business",
    body: "Conecte o número do WhatsApp Business ao atendimento para receber conversas na mesma fila dos tickets.",
  },
  backup: {
    title: "Backup das configurações do PABX",
    body: "O backup diário guarda ramais, filas e URAs. Restaure uma cópia anterior pelo painel em caso de erro.",
  },
  conferencia: {
    title: "Salas de conferência",
    body: "Crie salas de conferência com PIN e convide participantes internos e externos.",
  },
  musica: {
    title: "Música de espera personalizada",
    body: "Envie arquivos de música em WAV ou MP3 para tocar enquanto o cliente aguarda na fila.",
  },
  settingsEn: {
    title: "Softphone settings for remote workers",
    body: "Configure the softphone with your SIP username, password and server. Enable TLS and SRTP when working from home.",
    locale: "en",
  },
  invoiceEn: {
    title: "Downloading invoices",
    body: "Invoices are available in the portal under Billing. Download a PDF copy of each monthly invoice.",
    locale: "en",
  },
};

/** Thirty pt-BR queries and the article each should find in its top three: accents, plurals, verb forms, typos. */
export const queries: [string, string][] = [
  ["configurações", "ramal"],
  ["configuracao", "ramal"],
  ["configurar", "ramal"],
  ["configurar ramais", "ramal"],
  ["esqueci a senha", "senha"],
  ["redefinição de senha", "senha"],
  ["segunda via boleto", "fatura"],
  ["faturas", "fatura"],
  ["portabilidade de numero", "portabilidade"],
  ["portar números", "portabilidade"],
  ["audio mudo", "audio"],
  ["ligação sem som", "audio"],
  ["chamada caiu", "queda"],
  ["gravar chamadas", "gravacao"],
  ["gravacoes", "gravacao"],
  ["distribuição de chamadas na fila", "fila"],
  ["criar ura", "ura"],
  ["codecs", "codec"],
  ["troncos sip", "tronco"],
  ["liberar portas no firewall", "firewall"],
  ["fraudes internacionais", "fraude"],
  ["eco na ligação", "eco"],
  ["perda de pacotes", "latencia"],
  ["caixa postal", "correio"],
  ["desviar ligações para o celular", "desvio"],
  ["feriado", "horario"],
  // Typos in titles.
  ["provisionamneto", "telefone"],
  ["portabilidad numerica", "portabilidade"],
  ["bilhetagen", "relatorio"],
  ["conferencai", "conferencia"],
];
