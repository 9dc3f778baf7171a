import i18next from "i18next";
import { beforeAll, describe, expect, it } from "vitest";
import { resources } from "../../i18n";
import { actorLabel } from "./actorLabel";

describe("audit actor labels", () => {
  const pt = i18next.createInstance();
  const en = i18next.createInstance();
  beforeAll(async () => {
    await pt.init({ resources, lng: "pt-BR", interpolation: { escapeValue: false } });
    await en.init({ resources, lng: "en", interpolation: { escapeValue: false } });
  });

  it("words the server's system actors in each language and keeps emails as recorded", () => {
    expect(actorLabel("bootstrap", pt.t)).toBe("Primeira inicialização");
    expect(actorLabel("bootstrap", en.t)).toBe("First start");
    expect(actorLabel("on-call page", pt.t)).toBe("Acionamento de plantão");
    expect(actorLabel("link:0193", en.t)).toBe("Page link of user 0193");
    expect(actorLabel("ana@acme.example", pt.t)).toBe("ana@acme.example");
    expect(actorLabel(null, pt.t)).toBe("—");
    // An id inherited from Object is not a system actor.
    expect(actorLabel("constructor", en.t)).toBe("constructor");
  });
});
