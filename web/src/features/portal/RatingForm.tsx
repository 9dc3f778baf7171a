import { Button, Group, Rating, Stack, Text, Textarea } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";

/** 1–5 stars and a comment; shared by the portal's ticket page and the survey link's page. */
export function RatingForm({
  onSubmit,
  pending,
}: {
  onSubmit: (value: { rating: number; comment?: string }) => void;
  pending: boolean;
}) {
  const { t } = useTranslation();
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState("");
  return (
    <Stack gap="sm">
      <Group gap="sm" wrap="wrap">
        <Rating
          value={rating}
          onChange={setRating}
          size="xl"
          aria-label={t("portal.survey.ratingLabel")}
          data-testid="rating"
        />
        {rating > 0 && <Text size="sm">{t(`portal.survey.scale.${rating as 1}`)}</Text>}
      </Group>
      <Textarea
        label={t("portal.survey.comment")}
        autosize
        minRows={2}
        maxLength={2000}
        value={comment}
        onChange={(e) => setComment(e.currentTarget.value)}
      />
      <Group>
        <Button
          disabled={rating === 0}
          loading={pending}
          onClick={() => onSubmit({ rating, comment: comment.trim() || undefined })}
        >
          {t("portal.survey.submit")}
        </Button>
      </Group>
    </Stack>
  );
}

export function Stars({ rating }: { rating: number }) {
  const { t } = useTranslation();
  return (
    <Group gap="xs">
      <Rating value={rating} readOnly aria-label={t("portal.survey.rated", { rating })} />
      <Text size="sm">{t("portal.survey.rated", { rating })}</Text>
    </Group>
  );
}
