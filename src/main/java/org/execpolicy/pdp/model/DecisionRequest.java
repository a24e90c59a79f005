package org.execpolicy.pdp.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.execpolicy.pdp.json.Json;

/**
 * The facts of one decision request (SPEC.md section 5), already validated
 * against openapi.yaml. Only the fields that matter to policy are kept: the
 * settings bag contributes its `exec_policy` and nothing else.
 */
public final class DecisionRequest {
    private final String traceId;
    private final String role;
    private final String taskType;
    private final String modelId;
    private final String backend;
    private final String parameterClass;
    private final String wpId;
    private final String mtId;
    private final String jobId;
    private final String runtimeMode;
    private final List<String> supportedModes;
    private final ExecPolicy execPolicy;

    private DecisionRequest(JsonNode json) {
        this.traceId = json.path("trace_id").asText();
        this.role = json.path("role").asText();
        this.taskType = json.path("task_type").asText();
        this.modelId = json.path("model_id").asText();
        this.backend = json.path("backend").asText("none");
        this.parameterClass = json.path("parameter_class").asText("PUnknown");
        this.wpId = Json.textOrNull(json, "wp_id");
        this.mtId = Json.textOrNull(json, "mt_id");
        this.jobId = Json.textOrNull(json, "job_id");
        this.runtimeMode = json.path("runtime_mode").asText("AI_ENABLED");
        this.supportedModes = Json.stringsOrNull(json.path("runtime"), "supported_modes");
        JsonNode policy = json.path("settings").get("exec_policy");
        this.execPolicy = policy != null && policy.isObject() ? ExecPolicy.fromJson(policy) : null;
    }

    public static DecisionRequest fromJson(JsonNode json) {
        return new DecisionRequest(json);
    }

    /** No declared `supported_modes` means the runtime supports every mode. */
    public boolean supports(String mode) {
        return supportedModes == null || supportedModes.contains(mode);
    }

    public String getTraceId() {
        return traceId;
    }

    public String getRole() {
        return role;
    }

    public String getTaskType() {
        return taskType;
    }

    public String getModelId() {
        return modelId;
    }

    public String getBackend() {
        return backend;
    }

    public String getParameterClass() {
        return parameterClass;
    }

    public String getWpId() {
        return wpId;
    }

    public String getMtId() {
        return mtId;
    }

    public String getJobId() {
        return jobId;
    }

    public String getRuntimeMode() {
        return runtimeMode;
    }

    public List<String> getSupportedModes() {
        return supportedModes;
    }

    public ExecPolicy getExecPolicy() {
        return execPolicy;
    }

    /**
     * The fact's text, kept while its policy's text is the same instance (ExecPolicy keeps its own until
     * it changes): every firing that matched the request records it, and one instance a decision is
     * also hashed and escaped once by the recorder. Read and written by the session's thread only.
     */
    private String text;
    private String textPolicy;

    @Override
    public String toString() {
        String policy = execPolicy == null ? null : execPolicy.toString();
        if (text == null || policy != textPolicy) {
            text = "DecisionRequest{role=" + role + ", task_type=" + taskType + ", model_id=" + modelId
                    + ", backend=" + backend + ", runtime_mode=" + runtimeMode
                    + ", supported_modes=" + supportedModes + ", exec_policy=" + policy + "}";
            textPolicy = policy;
        }
        return text;
    }
}
