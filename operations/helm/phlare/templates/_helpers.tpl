{{/*
The chart's name, or nameOverride.
*/}}
{{- define "phlare.name" -}}
{{- default .Chart.Name .Values.phlare.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's full name, the prefix of every object: the release name when it already contains
the chart's name, else <release>-<name>. At most 63 characters (DNS labels).
*/}}
{{- define "phlare.fullname" -}}
{{- if .Values.phlare.fullnameOverride }}
{{- .Values.phlare.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.phlare.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "phlare.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object.
*/}}
{{- define "phlare.labels" -}}
helm.sh/chart: {{ include "phlare.chart" . }}
{{ include "phlare.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- range $k, $v := .Values.phlare.extraLabels }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end }}

{{/*
Labels that select the release's Phlare pods (a component label narrows them further).
*/}}
{{- define "phlare.selectorLabels" -}}
app.kubernetes.io/name: {{ include "phlare.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of a pod template.
*/}}
{{- define "phlare.templateLabels" -}}
{{ include "phlare.selectorLabels" . }}
{{- range $k, $v := .Values.phlare.extraLabels }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end }}

{{/*
The ServiceAccount the pods run as.
*/}}
{{- define "phlare.serviceAccountName" -}}
{{- if .Values.phlare.serviceAccount.create }}
{{- default (include "phlare.fullname" .) .Values.phlare.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.phlare.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Name of a component's workload and Service: the full name for the component named like the
chart, <fullname>-<component> for the others.
Call with (dict "ctx" $ "component" <key>).
*/}}
{{- define "phlare.componentName" -}}
{{- $full := include "phlare.fullname" .ctx }}
{{- if eq .component .ctx.Chart.Name }}
{{- $full }}
{{- else }}
{{- printf "%s-%s" $full .component | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
A component's values as JSON: the shared `phlare:` values with the component's entry merged over
them. Use it as (include "phlare.componentValues" (dict "ctx" $ "cfg" <entry>) | fromJson).
*/}}
{{- define "phlare.componentValues" -}}
{{- mustMergeOverwrite (deepCopy .ctx.Values.phlare) (deepCopy (.cfg | default dict)) | toJson }}
{{- end }}

{{/*
The config's `storage:` section from the `storage` values. With backend s3 and the bundled
MinIO, an empty endpoint, bucket_name and insecure point at MinIO.
*/}}
{{- define "phlare.storageConfig" -}}
{{- $backend := .Values.storage.backend | default "filesystem" -}}
storage:
  backend: {{ $backend }}
{{- if eq $backend "s3" }}
{{- $s3 := deepCopy (.Values.storage.s3 | default dict) }}
{{- if .Values.minio.enabled }}
{{- $_ := set $s3 "endpoint" ($s3.endpoint | default (printf "%s-minio:9000" (include "phlare.fullname" .))) }}
{{- $_ := set $s3 "bucket_name" ($s3.bucket_name | default .Values.minio.bucket) }}
{{- $_ := set $s3 "insecure" true }}
{{- end }}
  s3:
    {{- toYaml $s3 | nindent 4 }}
{{- else if ne $backend "filesystem" }}
{{- with (index .Values.storage $backend) }}
  {{ $backend }}:
    {{- toYaml . | nindent 4 }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The Secret holding the S3 access keys, or nothing when there are none.
*/}}
{{- define "phlare.s3SecretName" -}}
{{- if eq .Values.storage.backend "s3" }}
{{- if .Values.storage.s3Credentials.existingSecret }}
{{- .Values.storage.s3Credentials.existingSecret }}
{{- else if or .Values.storage.s3Credentials.accessKeyId .Values.minio.enabled }}
{{- include "phlare.fullname" . }}-storage
{{- end }}
{{- end }}
{{- end }}

{{/*
Address of the distributors' Service, where a separate agent pushes.
*/}}
{{- define "phlare.distributorUrl" -}}
http://{{ include "phlare.componentName" (dict "ctx" . "component" "distributor") }}.{{ .Release.Namespace }}.svc.{{ .Values.global.clusterDomain }}:{{ .Values.phlare.service.port }}
{{- end }}
