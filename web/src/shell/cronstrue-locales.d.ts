// cronstrue's locale files register themselves with cronstrue when imported; they export nothing of use.
declare module "cronstrue/locales/pt_BR";
