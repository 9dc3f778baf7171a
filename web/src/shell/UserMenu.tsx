import { Avatar, Menu, UnstyledButton } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { api, unwrap } from "../api/client";
import { useAuth, useSession } from "../auth/AuthProvider";
import { isStaff } from "../auth/access";
import { LogoutIcon, UserIcon } from "./icons";

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase())
    .join("");
}

export function UserMenu() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const { signedOut } = useSession();
  const navigate = useNavigate();
  const logout = useMutation({
    mutationFn: async (everywhere: boolean) =>
      unwrap(await api.POST(everywhere ? "/api/v1/auth/logout-all" : "/api/v1/auth/logout")),
    // Signed out locally even if the server already forgot the session.
    onSettled: () => {
      signedOut();
      void navigate("/login", { replace: true });
    },
  });
  return (
    <Menu position="bottom-end" width={240}>
      <Menu.Target>
        <UnstyledButton aria-label={t("userMenu.open", { name: user.name })} title={user.email}>
          <Avatar color="blue" radius="xl" size={34}>
            {initials(user.name)}
          </Avatar>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          {user.name} · {t(`roles.${user.role}`)}
        </Menu.Label>
        <Menu.Item
          component={Link}
          to={isStaff(user.role) ? "/profile" : "/portal/profile"}
          leftSection={<UserIcon size={16} />}
        >
          {t("userMenu.profile")}
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item leftSection={<LogoutIcon size={16} />} onClick={() => logout.mutate(false)}>
          {t("userMenu.logout")}
        </Menu.Item>
        <Menu.Item color="red" leftSection={<LogoutIcon size={16} />} onClick={() => logout.mutate(true)}>
          {t("userMenu.logoutAll")}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
