import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";

/**
 * The chat launcher on the portal: the same widget providers embed on their sites (/chat/widget.js), for the
 * site whose origins name the portal, with the signed-in customer's identity signed by the server (the widget
 * sends it on every call and the server checks the HMAC). Nothing when no site serves the portal.
 */
export function PortalChatLauncher() {
  const { i18n } = useTranslation();
  const identity = useQuery({
    queryKey: ["chat", "portal-identity"],
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: async ({ signal }) => {
      const { siteId } = unwrap(await api.GET("/api/v1/chat/portal-site", { signal }));
      if (!siteId) return null;
      return unwrap(await api.GET("/api/v1/chat/portal-identity/{siteId}", { params: { path: { siteId } }, signal }));
    },
  });
  const me = identity.data;
  const lang = i18n.language === "en" ? "en" : "pt-BR";
  useEffect(() => {
    if (!me) return;
    const script = document.createElement("script");
    script.src = "/chat/widget.js";
    script.async = true;
    script.dataset.site = me.siteId;
    script.dataset.visitor = me.visitorId;
    script.dataset.signature = me.signature;
    script.dataset.name = me.name;
    script.dataset.email = me.email;
    script.dataset.lang = lang;
    document.body.append(script);
    return () => {
      script.remove();
      // The widget lives in its own element; it goes with the portal (sign-out, another language).
      document.getElementById("plantao-chat")?.remove();
    };
  }, [me, lang]);
  return null;
}
