{{/* Names, labels and the pieces every service's resources share. */}}

{{- define "imas.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default "imas" .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels of everything the chart makes. */}}
{{- define "imas.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: imas
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Selector of one service's pods (never its migration Job's). Context: dict root, name. */}}
{{- define "imas.selector" -}}
app.kubernetes.io/name: imas-{{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* One service's values: `defaults` under `services.<name>`. Context: dict root, name. */}}
{{- define "imas.service" -}}
{{- $service := index .root.Values.services .name -}}
{{- toYaml (mergeOverwrite (deepCopy .root.Values.defaults) (deepCopy $service)) -}}
{{- end -}}

{{- define "imas.image" -}}
{{- $service := index .root.Values.services .name -}}
{{- $override := default dict $service.image -}}
{{- $repository := default (printf "%s%s" .root.Values.image.prefix .name) $override.repository -}}
{{- $tag := default (default .root.Chart.AppVersion .root.Values.image.tag) $override.tag -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}

{{/* Service name of this release's NATS (the official chart's own naming). */}}
{{- define "imas.natsFullname" -}}
{{- $nats := .Values.nats -}}
{{- if $nats.fullnameOverride -}}
{{- $nats.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default "nats" $nats.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "imas.natsUrl" -}}
{{- if .Values.config.IMAS_NATS_URL -}}
{{- .Values.config.IMAS_NATS_URL -}}
{{- else if .Values.nats.enabled -}}
{{- printf "nats://%s:4222" (include "imas.natsFullname" .) -}}
{{- else -}}
{{- fail "set config.IMAS_NATS_URL, or nats.enabled: true for this release's NATS" -}}
{{- end -}}
{{- end -}}

{{- define "imas.postgresCluster" -}}
{{- printf "%s-postgres" (include "imas.fullname" .) -}}
{{- end -}}

{{- define "imas.secretName" -}}
{{- default (include "imas.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* `name: KEY` from Secret `secret`. Context: dict name, secret, key, optional. */}}
{{- define "imas.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ default .name .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end -}}

{{/*
The secret settings one service reads, as env entries. Context: dict root, name.
Every service: the database, Redis (and its password), NATS credentials, the secret keys,
OTel headers. The gateway: the bootstrap
token and password, the OIDC client secret. The warroom: Slack and Discord tokens.
*/}}
{{- define "imas.secretEnvs" -}}
{{- $root := .root -}}
{{- $core := include "imas.secretName" $root -}}
{{- $full := include "imas.fullname" $root -}}
{{- if $root.Values.cloudnativepg.enabled }}
{{ include "imas.secretEnv" (dict "name" "IMAS_DATABASE_URL" "secret" (printf "%s-app" (include "imas.postgresCluster" $root)) "key" "uri") }}
{{- else }}
{{ include "imas.secretEnv" (dict "name" "IMAS_DATABASE_URL" "secret" $core) }}
{{- end }}
{{ include "imas.secretEnv" (dict "name" "IMAS_REDIS_URL" "secret" $core) }}
{{ include "imas.secretEnv" (dict "name" "IMAS_SECRET_KEY" "secret" $core) }}
{{ include "imas.secretEnv" (dict "name" "IMAS_PREVIOUS_SECRET_KEYS" "secret" $core "optional" true) }}
{{ include "imas.secretEnv" (dict "name" "IMAS_REDIS_PASSWORD" "secret" $core "optional" true) }}
{{ include "imas.secretEnv" (dict "name" "IMAS_NATS_USER" "secret" $core "optional" true) }}
{{ include "imas.secretEnv" (dict "name" "IMAS_NATS_PASSWORD" "secret" $core "optional" true) }}
{{ include "imas.secretEnv" (dict "name" "IMAS_NATS_NKEY_SEED" "secret" $core "optional" true) }}
{{- if eq .name "gateway" }}
{{ include "imas.secretEnv" (dict "name" "IMAS_BOOTSTRAP_ADMIN_TOKEN" "secret" $core "optional" true) }}
{{ include "imas.secretEnv" (dict "name" "GATEWAY_BOOTSTRAP_ADMIN_PASSWORD" "secret" $core "optional" true) }}
{{- with $root.Values.oidc }}
{{- if or .existingSecret .clientSecret }}
{{ include "imas.secretEnv" (dict "name" "GATEWAY_OIDC_CLIENT_SECRET" "secret" (default (printf "%s-oidc" $full) .existingSecret)) }}
{{- end }}
{{- end }}
{{- end }}
{{- if eq .name "warroom" }}
{{- with $root.Values.slack }}
{{- if or .existingSecret .botToken }}
{{ include "imas.secretEnv" (dict "name" "WARROOM_SLACK_BOT_TOKEN" "secret" (default (printf "%s-slack" $full) .existingSecret)) }}
{{ include "imas.secretEnv" (dict "name" "WARROOM_SLACK_SIGNING_SECRET" "secret" (default (printf "%s-slack" $full) .existingSecret)) }}
{{- end }}
{{- end }}
{{- with $root.Values.discord }}
{{- if or .existingSecret .botToken }}
{{ include "imas.secretEnv" (dict "name" "WARROOM_DISCORD_BOT_TOKEN" "secret" (default (printf "%s-discord" $full) .existingSecret)) }}
{{- end }}
{{- end }}
{{- end }}
{{- with $root.Values.otel }}
{{- if and .endpoint (or .existingSecret .headers) }}
{{ include "imas.secretEnv" (dict "name" "OTEL_EXPORTER_OTLP_HEADERS" "secret" (default (printf "%s-otel" $full) .existingSecret)) }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The pod security every IMAS pod runs with. */}}
{{- define "imas.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "imas.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}
