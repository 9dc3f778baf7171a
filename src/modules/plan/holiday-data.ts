import Holidays from "date-holidays";

/**
 * The holiday data calendars take their closed days from: date-holidays, plus the municipal holidays of the
 * Brazilian state capitals it lacks (it has six: São Paulo, Rio de Janeiro, Belo Horizonte, Curitiba, Recife,
 * Goiânia), and the names of Brazil's federative units in each language the app speaks (date-holidays names
 * them only in Portuguese). Every reader of holiday data goes through here, so validation, the region picker
 * and business-time arithmetic agree on which regions exist.
 */

type Language = "pt" | "en";
type Named = Record<Language, string>;

/** A holiday in date-holidays' own shape: a rule ("MM-DD", "easter 60") and its names and kind. */
interface Day {
  name: Named;
  type: "public";
}

/** A city's holidays in date-holidays' region shape. */
interface City {
  name: string;
  days: Record<string, Day>;
}

const day = (pt: string, en: string): Day => ({ name: { pt, en }, type: "public" });
const anniversary = (city: string) => day(`Aniversário de ${city}`, `Anniversary of ${city}`);
const corpusChristi = day("Corpus Christi", "Corpus Christi");
const conception = day("Nossa Senhora da Conceição", "Immaculate Conception");
const saintJohn = day("São João", "Saint John's Day");
const saintPeter = day("São Pedro", "Saint Peter's Day");
const saintJoseph = day("São José", "Saint Joseph's Day");

/**
 * Municipal holidays of the state capitals date-holidays has no region for, by state, each city by the code a
 * calendar names it by. Fixed-date days as the municipal laws set them (Good Friday is national already; a day
 * the state's data already closes is not repeated). Brasília has none of its own: the Federal District has no
 * municipalities, and its days are the DF's.
 */
const capitals: Record<string, Record<string, City>> = {
  AC: { RIO_BRANCO: { name: "Rio Branco", days: { "12-28": anniversary("Rio Branco") } } },
  AL: {
    MACEIO: {
      name: "Maceió",
      days: {
        "08-27": day("Nossa Senhora dos Prazeres", "Our Lady of Pleasures"),
        "12-08": conception,
        "easter 60": corpusChristi,
      },
    },
  },
  AM: {
    // 8 December closes Manaus; date-holidays' Amazonas data lacks it, wherever the law that sets it sits.
    MANAUS: { name: "Manaus", days: { "10-24": anniversary("Manaus"), "12-08": conception } },
  },
  AP: { MACAPA: { name: "Macapá", days: { "02-04": anniversary("Macapá") } } },
  BA: {
    // Lei municipal 1.997/1967.
    SALVADOR: {
      name: "Salvador",
      days: { "06-24": saintJohn, "12-08": day("Nossa Senhora da Conceição da Praia", "Our Lady of the Conception") },
    },
  },
  CE: {
    // Lei municipal 8.796/2003.
    FORTALEZA: {
      name: "Fortaleza",
      days: {
        "03-19": saintJoseph,
        "08-15": day("Nossa Senhora da Assunção", "Assumption of Mary"),
        "easter 60": corpusChristi,
      },
    },
  },
  ES: {
    // Lei municipal 1.732/1967; Nossa Senhora da Penha is a state holiday since 2019.
    VITORIA: {
      name: "Vitória",
      days: { "09-08": day("Nossa Senhora da Vitória", "Our Lady of Victory"), "easter 60": corpusChristi },
    },
  },
  MA: {
    // Lei municipal 3.432/1996.
    SAO_LUIS: {
      name: "São Luís",
      days: {
        "06-29": saintPeter,
        "09-08": day("Aniversário de São Luís", "Anniversary of São Luís"),
        "12-08": conception,
      },
    },
  },
  MS: {
    // Leis municipais 95/1949 and 3.901/2001.
    CAMPO_GRANDE: {
      name: "Campo Grande",
      days: {
        "06-13": day("Santo Antônio", "Saint Anthony's Day"),
        "08-26": anniversary("Campo Grande"),
        "easter 60": corpusChristi,
      },
    },
  },
  MT: {
    // Lei municipal 1.077/1968.
    CUIABA: {
      name: "Cuiabá",
      days: { "04-08": anniversary("Cuiabá"), "12-08": conception, "easter 60": corpusChristi },
    },
  },
  PA: {
    // Lei municipal 6.306/1967.
    BELEM: { name: "Belém", days: { "01-12": anniversary("Belém"), "12-08": conception } },
  },
  PB: {
    // Lei municipal 8.805/1999; 5 August, the city's founding, is a state holiday.
    JOAO_PESSOA: { name: "João Pessoa", days: { "06-24": saintJohn, "12-08": conception } },
  },
  PI: {
    // Lei municipal 2.847/1999.
    TERESINA: {
      name: "Teresina",
      days: { "08-16": anniversary("Teresina"), "12-08": conception, "easter 60": corpusChristi },
    },
  },
  RN: {
    NATAL: {
      name: "Natal",
      days: {
        "01-06": day("Santos Reis", "Epiphany"),
        "11-21": day("Nossa Senhora da Apresentação", "Our Lady of the Presentation"),
      },
    },
  },
  RO: {
    // Lei municipal 190/1980 for Nossa Senhora Auxiliadora.
    PORTO_VELHO: {
      name: "Porto Velho",
      days: {
        "01-24": day("São Francisco de Sales", "Saint Francis de Sales"),
        "05-24": day("Nossa Senhora Auxiliadora", "Mary Help of Christians"),
        "10-02": anniversary("Porto Velho"),
        "easter 60": corpusChristi,
      },
    },
  },
  RR: {
    BOA_VISTA: {
      name: "Boa Vista",
      days: {
        "01-20": day("São Sebastião", "Saint Sebastian's Day"),
        "06-29": saintPeter,
        "07-09": anniversary("Boa Vista"),
        "12-08": conception,
      },
    },
  },
  RS: {
    // Lei municipal 4.453/1978.
    PORTO_ALEGRE: {
      name: "Porto Alegre",
      days: { "02-02": day("Nossa Senhora dos Navegantes", "Our Lady of Navigators"), "easter 60": corpusChristi },
    },
  },
  SC: {
    FLORIANOPOLIS: {
      name: "Florianópolis",
      days: { "03-23": anniversary("Florianópolis"), "easter 60": corpusChristi },
    },
  },
  SE: {
    ARACAJU: {
      name: "Aracaju",
      days: { "03-17": anniversary("Aracaju"), "06-24": saintJohn, "12-08": conception, "easter 60": corpusChristi },
    },
  },
  TO: {
    // Leis municipais 108/1991 and 577/1996.
    PALMAS: { name: "Palmas", days: { "03-19": saintJoseph, "05-20": anniversary("Palmas") } },
  },
};

/** Brazil's 26 states and the Federal District, by UF code: the names date-holidays gives only in Portuguese. */
const brazilianStates: Record<string, Named> = {
  AC: { pt: "Acre", en: "Acre" },
  AL: { pt: "Alagoas", en: "Alagoas" },
  AM: { pt: "Amazonas", en: "Amazonas" },
  AP: { pt: "Amapá", en: "Amapá" },
  BA: { pt: "Bahia", en: "Bahia" },
  CE: { pt: "Ceará", en: "Ceará" },
  DF: { pt: "Distrito Federal", en: "Federal District" },
  ES: { pt: "Espírito Santo", en: "Espírito Santo" },
  GO: { pt: "Goiás", en: "Goiás" },
  MA: { pt: "Maranhão", en: "Maranhão" },
  MG: { pt: "Minas Gerais", en: "Minas Gerais" },
  MS: { pt: "Mato Grosso do Sul", en: "Mato Grosso do Sul" },
  MT: { pt: "Mato Grosso", en: "Mato Grosso" },
  PA: { pt: "Pará", en: "Pará" },
  PB: { pt: "Paraíba", en: "Paraíba" },
  PE: { pt: "Pernambuco", en: "Pernambuco" },
  PI: { pt: "Piauí", en: "Piauí" },
  PR: { pt: "Paraná", en: "Paraná" },
  RJ: { pt: "Rio de Janeiro", en: "Rio de Janeiro" },
  RN: { pt: "Rio Grande do Norte", en: "Rio Grande do Norte" },
  RO: { pt: "Rondônia", en: "Rondônia" },
  RR: { pt: "Roraima", en: "Roraima" },
  RS: { pt: "Rio Grande do Sul", en: "Rio Grande do Sul" },
  SC: { pt: "Santa Catarina", en: "Santa Catarina" },
  SE: { pt: "Sergipe", en: "Sergipe" },
  SP: { pt: "São Paulo", en: "São Paulo" },
  TO: { pt: "Tocantins", en: "Tocantins" },
};

const upstream = new Holidays();

/** Our own city of a state, unless date-holidays has a region by that code (its data wins once it has one). */
function ownCity(country: string, state: string, city: string): City | undefined {
  if (country !== "BR" || Object.hasOwn(upstream.getRegions(country, state) ?? {}, city)) return undefined;
  const cities = capitals[state];
  return cities && Object.hasOwn(cities, city) ? cities[city] : undefined;
}

export const hasCountry = (country: string) => Object.hasOwn(upstream.getCountries(), country);

export const hasState = (country: string, state: string) => Object.hasOwn(upstream.getStates(country) ?? {}, state);

export const hasCity = (country: string, state: string, city: string) =>
  Object.hasOwn(upstream.getRegions(country, state) ?? {}, city) || ownCity(country, state, city) !== undefined;

/**
 * 20 November is a national holiday since 2024 (Lei 14.759/2023). date-holidays' data for AM, MT, RJ and SP (and
 * their cities) keeps those states' own, older 20 November rules, which end before 2024 and replace the national
 * one: without this, calendars of Manaus, Cuiabá, Rio or São Paulo would stay open that day.
 */
function withBlackAwarenessDay(source: Holidays, country: string): Holidays {
  if (country === "BR" && !source.isHoliday(new Date("2030-11-20T15:00:00Z"))) {
    source.setHoliday("11-20 since 2024", {
      name: { pt: "Dia Nacional de Zumbi e da Consciência Negra", en: "National Day of Zumbi and Black Awareness" },
      type: "public",
    });
  }
  return source;
}

/** The holidays of a region, ready for getHolidays: date-holidays' own, with our city's days on its state's. */
export function holidaySource(country: string, state?: string, city?: string): Holidays {
  if (!state) return new Holidays(country);
  const own = city ? ownCity(country, state, city) : undefined;
  if (!city || own) {
    const source = new Holidays(country, state);
    // A copy each: date-holidays keeps and annotates the object it is given.
    for (const [rule, h] of Object.entries(own?.days ?? {})) source.setHoliday(rule, { ...h, name: { ...h.name } });
    return withBlackAwarenessDay(source, country);
  }
  return withBlackAwarenessDay(new Holidays(country, state, city), country);
}

/** A region with holiday data: a country, its states and their cities, each by the code a calendar names it by. */
export interface HolidayRegion {
  code: string;
  name: string;
  states: { code: string; name: string; cities: { code: string; name: string }[] }[];
}

const regionsByLanguage = new Map<Language, HolidayRegion[]>();
const named = (list: Record<string, string> | undefined) =>
  Object.entries(list ?? {}).map(([code, name]) => ({ code, name }));

function citiesOf(country: string, state: string, language: Language) {
  const cities = named(upstream.getRegions(country, state, language));
  for (const [code, city] of Object.entries(country === "BR" ? (capitals[state] ?? {}) : {})) {
    if (!cities.some((c) => c.code === code)) cities.push({ code, name: city.name });
  }
  return cities;
}

/**
 * Every region a calendar's `holidays` may name, with names in `language` where the data has them (else in the
 * region's own language). Built once per language: the data never changes while the process runs.
 */
export function holidayRegions(language: Language): HolidayRegion[] {
  let regions = regionsByLanguage.get(language);
  if (!regions) {
    regions = named(upstream.getCountries(language)).map((country) => ({
      ...country,
      states: named(upstream.getStates(country.code, language)).map((state) => ({
        code: state.code,
        name: (country.code === "BR" ? brazilianStates[state.code]?.[language] : undefined) ?? state.name,
        cities: citiesOf(country.code, state.code, language),
      })),
    }));
    regionsByLanguage.set(language, regions);
  }
  return regions;
}
