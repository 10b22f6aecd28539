"""Contains all the data models used in inputs/outputs"""

from .action_item import ActionItem
from .alert_record import AlertRecord
from .alert_record_labels import AlertRecordLabels
from .alert_rule import AlertRule
from .alert_rule_severity_map import AlertRuleSeverityMap
from .api_v1_chat_discord_interactions_discord_response_400 import ApiV1ChatDiscordInteractionsDiscordResponse400
from .api_v1_chat_discord_interactions_discord_response_401 import ApiV1ChatDiscordInteractionsDiscordResponse401
from .api_v1_chat_discord_interactions_discord_response_403 import ApiV1ChatDiscordInteractionsDiscordResponse403
from .api_v1_chat_discord_interactions_discord_response_404 import ApiV1ChatDiscordInteractionsDiscordResponse404
from .api_v1_chat_discord_interactions_discord_response_409 import ApiV1ChatDiscordInteractionsDiscordResponse409
from .api_v1_chat_discord_interactions_discord_response_413 import ApiV1ChatDiscordInteractionsDiscordResponse413
from .api_v1_chat_discord_interactions_discord_response_429 import ApiV1ChatDiscordInteractionsDiscordResponse429
from .api_v1_chat_discord_interactions_discord_response_503 import ApiV1ChatDiscordInteractionsDiscordResponse503
from .api_v1_chat_slack_commands_slack_commands_response_400 import ApiV1ChatSlackCommandsSlackCommandsResponse400
from .api_v1_chat_slack_commands_slack_commands_response_401 import ApiV1ChatSlackCommandsSlackCommandsResponse401
from .api_v1_chat_slack_commands_slack_commands_response_403 import ApiV1ChatSlackCommandsSlackCommandsResponse403
from .api_v1_chat_slack_commands_slack_commands_response_404 import ApiV1ChatSlackCommandsSlackCommandsResponse404
from .api_v1_chat_slack_commands_slack_commands_response_409 import ApiV1ChatSlackCommandsSlackCommandsResponse409
from .api_v1_chat_slack_commands_slack_commands_response_413 import ApiV1ChatSlackCommandsSlackCommandsResponse413
from .api_v1_chat_slack_commands_slack_commands_response_429 import ApiV1ChatSlackCommandsSlackCommandsResponse429
from .api_v1_chat_slack_commands_slack_commands_response_503 import ApiV1ChatSlackCommandsSlackCommandsResponse503
from .api_v1_chat_slack_events_slack_events_response_400 import ApiV1ChatSlackEventsSlackEventsResponse400
from .api_v1_chat_slack_events_slack_events_response_401 import ApiV1ChatSlackEventsSlackEventsResponse401
from .api_v1_chat_slack_events_slack_events_response_403 import ApiV1ChatSlackEventsSlackEventsResponse403
from .api_v1_chat_slack_events_slack_events_response_404 import ApiV1ChatSlackEventsSlackEventsResponse404
from .api_v1_chat_slack_events_slack_events_response_409 import ApiV1ChatSlackEventsSlackEventsResponse409
from .api_v1_chat_slack_events_slack_events_response_413 import ApiV1ChatSlackEventsSlackEventsResponse413
from .api_v1_chat_slack_events_slack_events_response_429 import ApiV1ChatSlackEventsSlackEventsResponse429
from .api_v1_chat_slack_events_slack_events_response_503 import ApiV1ChatSlackEventsSlackEventsResponse503
from .api_v1_chat_slack_interactions_slack_interactions_response_400 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse400,
)
from .api_v1_chat_slack_interactions_slack_interactions_response_401 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse401,
)
from .api_v1_chat_slack_interactions_slack_interactions_response_403 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse403,
)
from .api_v1_chat_slack_interactions_slack_interactions_response_404 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse404,
)
from .api_v1_chat_slack_interactions_slack_interactions_response_409 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse409,
)
from .api_v1_chat_slack_interactions_slack_interactions_response_413 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse413,
)
from .api_v1_chat_slack_interactions_slack_interactions_response_429 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse429,
)
from .api_v1_chat_slack_interactions_slack_interactions_response_503 import (
    ApiV1ChatSlackInteractionsSlackInteractionsResponse503,
)
from .api_v1_deliveries_deliveries_status_type_0 import ApiV1DeliveriesDeliveriesStatusType0
from .api_v1_inbound_twilio_sms_twilio_sms_response_400 import ApiV1InboundTwilioSmsTwilioSmsResponse400
from .api_v1_inbound_twilio_sms_twilio_sms_response_401 import ApiV1InboundTwilioSmsTwilioSmsResponse401
from .api_v1_inbound_twilio_sms_twilio_sms_response_403 import ApiV1InboundTwilioSmsTwilioSmsResponse403
from .api_v1_inbound_twilio_sms_twilio_sms_response_404 import ApiV1InboundTwilioSmsTwilioSmsResponse404
from .api_v1_inbound_twilio_sms_twilio_sms_response_409 import ApiV1InboundTwilioSmsTwilioSmsResponse409
from .api_v1_inbound_twilio_sms_twilio_sms_response_413 import ApiV1InboundTwilioSmsTwilioSmsResponse413
from .api_v1_inbound_twilio_sms_twilio_sms_response_429 import ApiV1InboundTwilioSmsTwilioSmsResponse429
from .api_v1_inbound_twilio_sms_twilio_sms_response_503 import ApiV1InboundTwilioSmsTwilioSmsResponse503
from .api_v1_inbound_twilio_voice_twilio_voice_response_400 import ApiV1InboundTwilioVoiceTwilioVoiceResponse400
from .api_v1_inbound_twilio_voice_twilio_voice_response_401 import ApiV1InboundTwilioVoiceTwilioVoiceResponse401
from .api_v1_inbound_twilio_voice_twilio_voice_response_403 import ApiV1InboundTwilioVoiceTwilioVoiceResponse403
from .api_v1_inbound_twilio_voice_twilio_voice_response_404 import ApiV1InboundTwilioVoiceTwilioVoiceResponse404
from .api_v1_inbound_twilio_voice_twilio_voice_response_409 import ApiV1InboundTwilioVoiceTwilioVoiceResponse409
from .api_v1_inbound_twilio_voice_twilio_voice_response_413 import ApiV1InboundTwilioVoiceTwilioVoiceResponse413
from .api_v1_inbound_twilio_voice_twilio_voice_response_429 import ApiV1InboundTwilioVoiceTwilioVoiceResponse429
from .api_v1_inbound_twilio_voice_twilio_voice_response_503 import ApiV1InboundTwilioVoiceTwilioVoiceResponse503
from .api_v1_incidents_list_incidents_ordering import ApiV1IncidentsListIncidentsOrdering
from .api_v1_incidents_list_incidents_severity_item import ApiV1IncidentsListIncidentsSeverityItem
from .api_v1_incidents_list_incidents_status_item import ApiV1IncidentsListIncidentsStatusItem
from .api_v1_incidents_ref_lid_document_response_200 import ApiV1IncidentsRefLidDocumentResponse200
from .api_v1_incidents_ref_lid_edit_response_200 import ApiV1IncidentsRefLidEditResponse200
from .api_v1_incidents_ref_lid_export_export_response_201 import ApiV1IncidentsRefLidExportExportResponse201
from .api_v1_incidents_ref_runbook_attach_response_200 import ApiV1IncidentsRefRunbookAttachResponse200
from .api_v1_incidents_ref_runbook_progress_response_200 import ApiV1IncidentsRefRunbookProgressResponse200
from .api_v1_incidents_ref_runbook_steps_step_response_200 import ApiV1IncidentsRefRunbookStepsStepResponse200
from .api_v1_lid_exporters_create_response_201 import ApiV1LidExportersCreateResponse201
from .api_v1_lid_exporters_exporter_id_detail_response_200 import ApiV1LidExportersExporterIdDetailResponse200
from .api_v1_lid_exporters_exporter_id_replace_response_200 import ApiV1LidExportersExporterIdReplaceResponse200
from .api_v1_lid_exporters_list_exporters_response_200 import ApiV1LidExportersListExportersResponse200
from .api_v1_lid_template_read_response_200 import ApiV1LidTemplateReadResponse200
from .api_v1_lid_template_replace_response_200 import ApiV1LidTemplateReplaceResponse200
from .api_v1_metrics_by_service_by_service_severity import ApiV1MetricsByServiceByServiceSeverity
from .api_v1_metrics_by_severity_by_severity_severity import ApiV1MetricsBySeverityBySeveritySeverity
from .api_v1_metrics_by_team_by_team_severity import ApiV1MetricsByTeamByTeamSeverity
from .api_v1_metrics_export_csv_export_csv_severity import ApiV1MetricsExportCsvExportCsvSeverity
from .api_v1_metrics_export_json_export_json_severity import ApiV1MetricsExportJsonExportJsonSeverity
from .api_v1_metrics_heatmap_heatmap_severity import ApiV1MetricsHeatmapHeatmapSeverity
from .api_v1_metrics_summary_severity import ApiV1MetricsSummarySeverity
from .api_v1_metrics_top_offenders_top_offenders_severity import ApiV1MetricsTopOffendersTopOffendersSeverity
from .api_v1_metrics_trend_trend_bucket import ApiV1MetricsTrendTrendBucket
from .api_v1_metrics_trend_trend_severity import ApiV1MetricsTrendTrendSeverity
from .api_v1_people_entry_id_contact_methods_add_contact_method_response_201 import (
    ApiV1PeopleEntryIdContactMethodsAddContactMethodResponse201,
)
from .api_v1_people_entry_id_contact_methods_contact_methods_response_200 import (
    ApiV1PeopleEntryIdContactMethodsContactMethodsResponse200,
)
from .api_v1_people_entry_id_contact_methods_position_remove_contact_method_response_200 import (
    ApiV1PeopleEntryIdContactMethodsPositionRemoveContactMethodResponse200,
)
from .api_v1_people_entry_id_contact_methods_replace_contact_methods_response_200 import (
    ApiV1PeopleEntryIdContactMethodsReplaceContactMethodsResponse200,
)
from .api_v1_people_entry_id_notification_rules_notification_rules_response_200 import (
    ApiV1PeopleEntryIdNotificationRulesNotificationRulesResponse200,
)
from .api_v1_people_entry_id_notification_rules_remove_notification_rules_response_200 import (
    ApiV1PeopleEntryIdNotificationRulesRemoveNotificationRulesResponse200,
)
from .api_v1_people_entry_id_notification_rules_replace_notification_rules_response_200 import (
    ApiV1PeopleEntryIdNotificationRulesReplaceNotificationRulesResponse200,
)
from .api_v1_routing_rules_create_response_201 import ApiV1RoutingRulesCreateResponse201
from .api_v1_routing_rules_list_rules_response_200 import ApiV1RoutingRulesListRulesResponse200
from .api_v1_routing_rules_rule_id_read_response_200 import ApiV1RoutingRulesRuleIdReadResponse200
from .api_v1_routing_rules_rule_id_remove_response_200 import ApiV1RoutingRulesRuleIdRemoveResponse200
from .api_v1_routing_rules_rule_id_replace_response_200 import ApiV1RoutingRulesRuleIdReplaceResponse200
from .api_v1_runbooks_match_match_severity_type_1 import ApiV1RunbooksMatchMatchSeverityType1
from .api_v1_runbooks_match_match_severity_type_2_type_1 import ApiV1RunbooksMatchMatchSeverityType2Type1
from .api_v1_runbooks_match_match_severity_type_3_type_1 import ApiV1RunbooksMatchMatchSeverityType3Type1
from .api_v1_users_create_response_201 import ApiV1UsersCreateResponse201
from .api_v1_users_list_users_response_200 import ApiV1UsersListUsersResponse200
from .api_v1_users_ref_detail_response_200 import ApiV1UsersRefDetailResponse200
from .api_v1_users_ref_update_response_200 import ApiV1UsersRefUpdateResponse200
from .api_v1_webhooks_heartbeat_get_heartbeat_ping_response_200 import ApiV1WebhooksHeartbeatGetHeartbeatPingResponse200
from .api_v1_webhooks_heartbeat_post_heartbeat_ping_response_200 import (
    ApiV1WebhooksHeartbeatPostHeartbeatPingResponse200,
)
from .api_v1_webhooks_pagerduty_pagerduty_enqueue_response_400 import ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse400
from .api_v1_webhooks_pagerduty_pagerduty_enqueue_response_401 import ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse401
from .api_v1_webhooks_pagerduty_pagerduty_enqueue_response_403 import ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse403
from .api_v1_webhooks_pagerduty_pagerduty_enqueue_response_404 import ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse404
from .api_v1_webhooks_pagerduty_pagerduty_enqueue_response_409 import ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse409
from .api_v1_webhooks_pagerduty_pagerduty_enqueue_response_413 import ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse413
from .api_v1_webhooks_pagerduty_pagerduty_enqueue_response_429 import ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse429
from .api_v1_webhooks_pagerduty_pagerduty_enqueue_response_503 import ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse503
from .attach_body import AttachBody
from .audit_entry import AuditEntry
from .change import Change
from .change_custom_details import ChangeCustomDetails
from .change_link import ChangeLink
from .comment import Comment
from .comment_body import CommentBody
from .config_problem import ConfigProblem
from .config_report import ConfigReport
from .contact_method import ContactMethod
from .contact_method_body import ContactMethodBody
from .contact_methods_body import ContactMethodsBody
from .credentials import Credentials
from .delivery_list import DeliveryList
from .delivery_view import DeliveryView
from .delivery_view_status import DeliveryViewStatus
from .document_edit import DocumentEdit
from .escalate_body import EscalateBody
from .escalation_history import EscalationHistory
from .escalation_sent import EscalationSent
from .export_body import ExportBody
from .exporter_body import ExporterBody
from .exporter_body_config import ExporterBodyConfig
from .exporter_body_kind import ExporterBodyKind
from .exporter_body_secrets import ExporterBodySecrets
from .heartbeat import Heartbeat
from .heartbeat_status import HeartbeatStatus
from .heat_cell import HeatCell
from .history_entry import HistoryEntry
from .incident_create import IncidentCreate
from .incident_created_json import IncidentCreatedJson
from .incident_created_json_severity import IncidentCreatedJsonSeverity
from .incident_created_json_status import IncidentCreatedJsonStatus
from .incident_detail_json import IncidentDetailJson
from .incident_detail_json_severity import IncidentDetailJsonSeverity
from .incident_detail_json_status import IncidentDetailJsonStatus
from .incident_json import IncidentJson
from .incident_json_severity import IncidentJsonSeverity
from .incident_json_status import IncidentJsonStatus
from .incident_patch import IncidentPatch
from .incident_patch_severity_type_1 import IncidentPatchSeverityType1
from .incident_patch_severity_type_2_type_1 import IncidentPatchSeverityType2Type1
from .incident_patch_severity_type_3_type_1 import IncidentPatchSeverityType3Type1
from .incident_roles import IncidentRoles
from .incident_subscribers import IncidentSubscribers
from .integration_create import IntegrationCreate
from .integration_json import IntegrationJson
from .integration_patch import IntegrationPatch
from .kpi_breakdown import KpiBreakdown
from .kpi_figures import KpiFigures
from .kpi_group import KpiGroup
from .kpi_heatmap import KpiHeatmap
from .kpi_point import KpiPoint
from .kpi_stats import KpiStats
from .kpi_summary import KpiSummary
from .kpi_summary_change import KpiSummaryChange
from .kpi_top_offenders import KpiTopOffenders
from .kpi_trend import KpiTrend
from .layer import Layer
from .layer_shift import LayerShift
from .maintenance import Maintenance
from .matcher import Matcher
from .matcher_op import MatcherOp
from .new_token_json import NewTokenJson
from .notification_rule import NotificationRule
from .notification_rules_body import NotificationRulesBody
from .offender import Offender
from .on_call_level import OnCallLevel
from .on_call_reply import OnCallReply
from .override import Override
from .page_alert_record import PageAlertRecord
from .page_alert_rule import PageAlertRule
from .page_audit_entry import PageAuditEntry
from .page_change import PageChange
from .page_incident_json import PageIncidentJson
from .page_integration_json import PageIntegrationJson
from .page_person_entry import PagePersonEntry
from .page_runbook_spec import PageRunbookSpec
from .page_scope_entry import PageScopeEntry
from .page_service_entry import PageServiceEntry
from .page_silence import PageSilence
from .page_team_entry import PageTeamEntry
from .page_token_json import PageTokenJson
from .person_entry import PersonEntry
from .person_entry_chat_user_ids import PersonEntryChatUserIds
from .person_spec import PersonSpec
from .person_spec_chat_user_ids import PersonSpecChatUserIds
from .person_spec_patch import PersonSpecPatch
from .person_spec_patch_chat_user_ids_type_0 import PersonSpecPatchChatUserIdsType0
from .policy_list import PolicyList
from .policy_spec import PolicySpec
from .policy_spec_severities_item import PolicySpecSeveritiesItem
from .policy_step import PolicyStep
from .policy_step_channels_item import PolicyStepChannelsItem
from .policy_view import PolicyView
from .problem import Problem
from .problem_errors_item import ProblemErrorsItem
from .provider_body import ProviderBody
from .provider_body_config import ProviderBodyConfig
from .provider_body_kind import ProviderBodyKind
from .provider_body_secrets import ProviderBodySecrets
from .provider_spec import ProviderSpec
from .provider_spec_config import ProviderSpecConfig
from .provider_spec_kind import ProviderSpecKind
from .provider_test_result import ProviderTestResult
from .ref import Ref
from .responder_body import ResponderBody
from .restriction import Restriction
from .results_provider_spec import ResultsProviderSpec
from .results_runbook_spec import ResultsRunbookSpec
from .results_tag_rule_entry import ResultsTagRuleEntry
from .revoked_tokens import RevokedTokens
from .role_body import RoleBody
from .role_definition import RoleDefinition
from .role_definitions import RoleDefinitions
from .role_holder import RoleHolder
from .roles_body import RolesBody
from .room_responders import RoomResponders
from .routing_rule_body import RoutingRuleBody
from .routing_rule_body_target import RoutingRuleBodyTarget
from .rule_condition import RuleCondition
from .rule_trial import RuleTrial
from .rule_trial_body import RuleTrialBody
from .runbook_spec import RunbookSpec
from .runbook_spec_severities_item import RunbookSpecSeveritiesItem
from .runbook_step import RunbookStep
from .sample_alert import SampleAlert
from .sample_alert_labels import SampleAlertLabels
from .schedule_list import ScheduleList
from .schedule_spec import ScheduleSpec
from .schedule_view import ScheduleView
from .scope_entry import ScopeEntry
from .scope_fields import ScopeFields
from .scope_fields_patch import ScopeFieldsPatch
from .service_entry import ServiceEntry
from .service_fields import ServiceFields
from .service_fields_patch import ServiceFieldsPatch
from .shift import Shift
from .shift_list import ShiftList
from .silence import Silence
from .status_update_sent import StatusUpdateSent
from .step_body import StepBody
from .step_body_action import StepBodyAction
from .step_target import StepTarget
from .step_target_kind import StepTargetKind
from .subscriber import Subscriber
from .subscriber_body import SubscriberBody
from .subscriber_kind import SubscriberKind
from .tag_rule_entry import TagRuleEntry
from .tag_rule_spec import TagRuleSpec
from .tags_body import TagsBody
from .team_entry import TeamEntry
from .team_fields import TeamFields
from .team_fields_patch import TeamFieldsPatch
from .template_body import TemplateBody
from .test_body import TestBody
from .timeline_entry import TimelineEntry
from .timeline_entry_source import TimelineEntrySource
from .token_body import TokenBody
from .token_create import TokenCreate
from .token_json import TokenJson
from .token_patch import TokenPatch
from .transition_body import TransitionBody
from .update_body import UpdateBody
from .user_body import UserBody
from .v2_change_enqueue_pagerduty_change_response_400 import V2ChangeEnqueuePagerdutyChangeResponse400
from .v2_change_enqueue_pagerduty_change_response_401 import V2ChangeEnqueuePagerdutyChangeResponse401
from .v2_change_enqueue_pagerduty_change_response_403 import V2ChangeEnqueuePagerdutyChangeResponse403
from .v2_change_enqueue_pagerduty_change_response_404 import V2ChangeEnqueuePagerdutyChangeResponse404
from .v2_change_enqueue_pagerduty_change_response_409 import V2ChangeEnqueuePagerdutyChangeResponse409
from .v2_change_enqueue_pagerduty_change_response_413 import V2ChangeEnqueuePagerdutyChangeResponse413
from .v2_change_enqueue_pagerduty_change_response_429 import V2ChangeEnqueuePagerdutyChangeResponse429
from .v2_change_enqueue_pagerduty_change_response_503 import V2ChangeEnqueuePagerdutyChangeResponse503
from .v2_enqueue_pagerduty_enqueue_response_400 import V2EnqueuePagerdutyEnqueueResponse400
from .v2_enqueue_pagerduty_enqueue_response_401 import V2EnqueuePagerdutyEnqueueResponse401
from .v2_enqueue_pagerduty_enqueue_response_403 import V2EnqueuePagerdutyEnqueueResponse403
from .v2_enqueue_pagerduty_enqueue_response_404 import V2EnqueuePagerdutyEnqueueResponse404
from .v2_enqueue_pagerduty_enqueue_response_409 import V2EnqueuePagerdutyEnqueueResponse409
from .v2_enqueue_pagerduty_enqueue_response_413 import V2EnqueuePagerdutyEnqueueResponse413
from .v2_enqueue_pagerduty_enqueue_response_429 import V2EnqueuePagerdutyEnqueueResponse429
from .v2_enqueue_pagerduty_enqueue_response_503 import V2EnqueuePagerdutyEnqueueResponse503
from .verified_token_json import VerifiedTokenJson
from .webhook_accepted import WebhookAccepted

__all__ = (
    "ActionItem",
    "AlertRecord",
    "AlertRecordLabels",
    "AlertRule",
    "AlertRuleSeverityMap",
    "ApiV1ChatDiscordInteractionsDiscordResponse400",
    "ApiV1ChatDiscordInteractionsDiscordResponse401",
    "ApiV1ChatDiscordInteractionsDiscordResponse403",
    "ApiV1ChatDiscordInteractionsDiscordResponse404",
    "ApiV1ChatDiscordInteractionsDiscordResponse409",
    "ApiV1ChatDiscordInteractionsDiscordResponse413",
    "ApiV1ChatDiscordInteractionsDiscordResponse429",
    "ApiV1ChatDiscordInteractionsDiscordResponse503",
    "ApiV1ChatSlackCommandsSlackCommandsResponse400",
    "ApiV1ChatSlackCommandsSlackCommandsResponse401",
    "ApiV1ChatSlackCommandsSlackCommandsResponse403",
    "ApiV1ChatSlackCommandsSlackCommandsResponse404",
    "ApiV1ChatSlackCommandsSlackCommandsResponse409",
    "ApiV1ChatSlackCommandsSlackCommandsResponse413",
    "ApiV1ChatSlackCommandsSlackCommandsResponse429",
    "ApiV1ChatSlackCommandsSlackCommandsResponse503",
    "ApiV1ChatSlackEventsSlackEventsResponse400",
    "ApiV1ChatSlackEventsSlackEventsResponse401",
    "ApiV1ChatSlackEventsSlackEventsResponse403",
    "ApiV1ChatSlackEventsSlackEventsResponse404",
    "ApiV1ChatSlackEventsSlackEventsResponse409",
    "ApiV1ChatSlackEventsSlackEventsResponse413",
    "ApiV1ChatSlackEventsSlackEventsResponse429",
    "ApiV1ChatSlackEventsSlackEventsResponse503",
    "ApiV1ChatSlackInteractionsSlackInteractionsResponse400",
    "ApiV1ChatSlackInteractionsSlackInteractionsResponse401",
    "ApiV1ChatSlackInteractionsSlackInteractionsResponse403",
    "ApiV1ChatSlackInteractionsSlackInteractionsResponse404",
    "ApiV1ChatSlackInteractionsSlackInteractionsResponse409",
    "ApiV1ChatSlackInteractionsSlackInteractionsResponse413",
    "ApiV1ChatSlackInteractionsSlackInteractionsResponse429",
    "ApiV1ChatSlackInteractionsSlackInteractionsResponse503",
    "ApiV1DeliveriesDeliveriesStatusType0",
    "ApiV1InboundTwilioSmsTwilioSmsResponse400",
    "ApiV1InboundTwilioSmsTwilioSmsResponse401",
    "ApiV1InboundTwilioSmsTwilioSmsResponse403",
    "ApiV1InboundTwilioSmsTwilioSmsResponse404",
    "ApiV1InboundTwilioSmsTwilioSmsResponse409",
    "ApiV1InboundTwilioSmsTwilioSmsResponse413",
    "ApiV1InboundTwilioSmsTwilioSmsResponse429",
    "ApiV1InboundTwilioSmsTwilioSmsResponse503",
    "ApiV1InboundTwilioVoiceTwilioVoiceResponse400",
    "ApiV1InboundTwilioVoiceTwilioVoiceResponse401",
    "ApiV1InboundTwilioVoiceTwilioVoiceResponse403",
    "ApiV1InboundTwilioVoiceTwilioVoiceResponse404",
    "ApiV1InboundTwilioVoiceTwilioVoiceResponse409",
    "ApiV1InboundTwilioVoiceTwilioVoiceResponse413",
    "ApiV1InboundTwilioVoiceTwilioVoiceResponse429",
    "ApiV1InboundTwilioVoiceTwilioVoiceResponse503",
    "ApiV1IncidentsListIncidentsOrdering",
    "ApiV1IncidentsListIncidentsSeverityItem",
    "ApiV1IncidentsListIncidentsStatusItem",
    "ApiV1IncidentsRefLidDocumentResponse200",
    "ApiV1IncidentsRefLidEditResponse200",
    "ApiV1IncidentsRefLidExportExportResponse201",
    "ApiV1IncidentsRefRunbookAttachResponse200",
    "ApiV1IncidentsRefRunbookProgressResponse200",
    "ApiV1IncidentsRefRunbookStepsStepResponse200",
    "ApiV1LidExportersCreateResponse201",
    "ApiV1LidExportersExporterIdDetailResponse200",
    "ApiV1LidExportersExporterIdReplaceResponse200",
    "ApiV1LidExportersListExportersResponse200",
    "ApiV1LidTemplateReadResponse200",
    "ApiV1LidTemplateReplaceResponse200",
    "ApiV1MetricsByServiceByServiceSeverity",
    "ApiV1MetricsBySeverityBySeveritySeverity",
    "ApiV1MetricsByTeamByTeamSeverity",
    "ApiV1MetricsExportCsvExportCsvSeverity",
    "ApiV1MetricsExportJsonExportJsonSeverity",
    "ApiV1MetricsHeatmapHeatmapSeverity",
    "ApiV1MetricsSummarySeverity",
    "ApiV1MetricsTopOffendersTopOffendersSeverity",
    "ApiV1MetricsTrendTrendBucket",
    "ApiV1MetricsTrendTrendSeverity",
    "ApiV1PeopleEntryIdContactMethodsAddContactMethodResponse201",
    "ApiV1PeopleEntryIdContactMethodsContactMethodsResponse200",
    "ApiV1PeopleEntryIdContactMethodsPositionRemoveContactMethodResponse200",
    "ApiV1PeopleEntryIdContactMethodsReplaceContactMethodsResponse200",
    "ApiV1PeopleEntryIdNotificationRulesNotificationRulesResponse200",
    "ApiV1PeopleEntryIdNotificationRulesRemoveNotificationRulesResponse200",
    "ApiV1PeopleEntryIdNotificationRulesReplaceNotificationRulesResponse200",
    "ApiV1RoutingRulesCreateResponse201",
    "ApiV1RoutingRulesListRulesResponse200",
    "ApiV1RoutingRulesRuleIdReadResponse200",
    "ApiV1RoutingRulesRuleIdRemoveResponse200",
    "ApiV1RoutingRulesRuleIdReplaceResponse200",
    "ApiV1RunbooksMatchMatchSeverityType1",
    "ApiV1RunbooksMatchMatchSeverityType2Type1",
    "ApiV1RunbooksMatchMatchSeverityType3Type1",
    "ApiV1UsersCreateResponse201",
    "ApiV1UsersListUsersResponse200",
    "ApiV1UsersRefDetailResponse200",
    "ApiV1UsersRefUpdateResponse200",
    "ApiV1WebhooksHeartbeatGetHeartbeatPingResponse200",
    "ApiV1WebhooksHeartbeatPostHeartbeatPingResponse200",
    "ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse400",
    "ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse401",
    "ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse403",
    "ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse404",
    "ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse409",
    "ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse413",
    "ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse429",
    "ApiV1WebhooksPagerdutyPagerdutyEnqueueResponse503",
    "AttachBody",
    "AuditEntry",
    "Change",
    "ChangeCustomDetails",
    "ChangeLink",
    "Comment",
    "CommentBody",
    "ConfigProblem",
    "ConfigReport",
    "ContactMethod",
    "ContactMethodBody",
    "ContactMethodsBody",
    "Credentials",
    "DeliveryList",
    "DeliveryView",
    "DeliveryViewStatus",
    "DocumentEdit",
    "EscalateBody",
    "EscalationHistory",
    "EscalationSent",
    "ExportBody",
    "ExporterBody",
    "ExporterBodyConfig",
    "ExporterBodyKind",
    "ExporterBodySecrets",
    "Heartbeat",
    "HeartbeatStatus",
    "HeatCell",
    "HistoryEntry",
    "IncidentCreate",
    "IncidentCreatedJson",
    "IncidentCreatedJsonSeverity",
    "IncidentCreatedJsonStatus",
    "IncidentDetailJson",
    "IncidentDetailJsonSeverity",
    "IncidentDetailJsonStatus",
    "IncidentJson",
    "IncidentJsonSeverity",
    "IncidentJsonStatus",
    "IncidentPatch",
    "IncidentPatchSeverityType1",
    "IncidentPatchSeverityType2Type1",
    "IncidentPatchSeverityType3Type1",
    "IncidentRoles",
    "IncidentSubscribers",
    "IntegrationCreate",
    "IntegrationJson",
    "IntegrationPatch",
    "KpiBreakdown",
    "KpiFigures",
    "KpiGroup",
    "KpiHeatmap",
    "KpiPoint",
    "KpiStats",
    "KpiSummary",
    "KpiSummaryChange",
    "KpiTopOffenders",
    "KpiTrend",
    "Layer",
    "LayerShift",
    "Maintenance",
    "Matcher",
    "MatcherOp",
    "NewTokenJson",
    "NotificationRule",
    "NotificationRulesBody",
    "Offender",
    "OnCallLevel",
    "OnCallReply",
    "Override",
    "PageAlertRecord",
    "PageAlertRule",
    "PageAuditEntry",
    "PageChange",
    "PageIncidentJson",
    "PageIntegrationJson",
    "PagePersonEntry",
    "PageRunbookSpec",
    "PageScopeEntry",
    "PageServiceEntry",
    "PageSilence",
    "PageTeamEntry",
    "PageTokenJson",
    "PersonEntry",
    "PersonEntryChatUserIds",
    "PersonSpec",
    "PersonSpecChatUserIds",
    "PersonSpecPatch",
    "PersonSpecPatchChatUserIdsType0",
    "PolicyList",
    "PolicySpec",
    "PolicySpecSeveritiesItem",
    "PolicyStep",
    "PolicyStepChannelsItem",
    "PolicyView",
    "Problem",
    "ProblemErrorsItem",
    "ProviderBody",
    "ProviderBodyConfig",
    "ProviderBodyKind",
    "ProviderBodySecrets",
    "ProviderSpec",
    "ProviderSpecConfig",
    "ProviderSpecKind",
    "ProviderTestResult",
    "Ref",
    "ResponderBody",
    "Restriction",
    "ResultsProviderSpec",
    "ResultsRunbookSpec",
    "ResultsTagRuleEntry",
    "RevokedTokens",
    "RoleBody",
    "RoleDefinition",
    "RoleDefinitions",
    "RoleHolder",
    "RolesBody",
    "RoomResponders",
    "RoutingRuleBody",
    "RoutingRuleBodyTarget",
    "RuleCondition",
    "RuleTrial",
    "RuleTrialBody",
    "RunbookSpec",
    "RunbookSpecSeveritiesItem",
    "RunbookStep",
    "SampleAlert",
    "SampleAlertLabels",
    "ScheduleList",
    "ScheduleSpec",
    "ScheduleView",
    "ScopeEntry",
    "ScopeFields",
    "ScopeFieldsPatch",
    "ServiceEntry",
    "ServiceFields",
    "ServiceFieldsPatch",
    "Shift",
    "ShiftList",
    "Silence",
    "StatusUpdateSent",
    "StepBody",
    "StepBodyAction",
    "StepTarget",
    "StepTargetKind",
    "Subscriber",
    "SubscriberBody",
    "SubscriberKind",
    "TagRuleEntry",
    "TagRuleSpec",
    "TagsBody",
    "TeamEntry",
    "TeamFields",
    "TeamFieldsPatch",
    "TemplateBody",
    "TestBody",
    "TimelineEntry",
    "TimelineEntrySource",
    "TokenBody",
    "TokenCreate",
    "TokenJson",
    "TokenPatch",
    "TransitionBody",
    "UpdateBody",
    "UserBody",
    "V2ChangeEnqueuePagerdutyChangeResponse400",
    "V2ChangeEnqueuePagerdutyChangeResponse401",
    "V2ChangeEnqueuePagerdutyChangeResponse403",
    "V2ChangeEnqueuePagerdutyChangeResponse404",
    "V2ChangeEnqueuePagerdutyChangeResponse409",
    "V2ChangeEnqueuePagerdutyChangeResponse413",
    "V2ChangeEnqueuePagerdutyChangeResponse429",
    "V2ChangeEnqueuePagerdutyChangeResponse503",
    "V2EnqueuePagerdutyEnqueueResponse400",
    "V2EnqueuePagerdutyEnqueueResponse401",
    "V2EnqueuePagerdutyEnqueueResponse403",
    "V2EnqueuePagerdutyEnqueueResponse404",
    "V2EnqueuePagerdutyEnqueueResponse409",
    "V2EnqueuePagerdutyEnqueueResponse413",
    "V2EnqueuePagerdutyEnqueueResponse429",
    "V2EnqueuePagerdutyEnqueueResponse503",
    "VerifiedTokenJson",
    "WebhookAccepted",
)
