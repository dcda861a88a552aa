{{/*
Chart name, truncated to the 63 characters a Kubernetes label value allows.
*/}}
{{- define "hyperkv-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's objects: the release name alone when it already contains the chart
name (so `helm install hyperkv-operator .` does not yield hyperkv-operator-hyperkv-operator).
*/}}
{{- define "hyperkv-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version for the helm.sh/chart label.
*/}}
{{- define "hyperkv-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object of the release.
*/}}
{{- define "hyperkv-operator.labels" -}}
helm.sh/chart: {{ include "hyperkv-operator.chart" . }}
{{ include "hyperkv-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hyperkv
{{- end }}

{{/*
Labels that select the operator pods; they must never change between upgrades of a release.
*/}}
{{- define "hyperkv-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hyperkv-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of the service account the operator runs as.
*/}}
{{- define "hyperkv-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "hyperkv-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Operator image reference; the tag defaults to the chart's appVersion so a chart release pins its operator.
*/}}
{{- define "hyperkv-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Value of QUARKUS_OPERATOR_SDK_NAMESPACES: the watched namespaces comma-separated, or the Java Operator
SDK's marker for every namespace when the list is empty.
*/}}
{{- define "hyperkv-operator.watchNamespacesValue" -}}
{{- if .Values.watchNamespaces }}
{{- join "," .Values.watchNamespaces }}
{{- else }}
{{- print "JOSDK_ALL_NAMESPACES" }}
{{- end }}
{{- end }}

{{/*
Names of the operator's controllers (their @ControllerConfiguration names), for the per-controller namespace
settings. A JSON list so templates can range over it.
*/}}
{{- define "hyperkv-operator.controllers" -}}
{{- list "hyperkvcluster" | toJson }}
{{- end }}
