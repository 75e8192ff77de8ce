import json

from django.test import Client

from cadre.api.api import api

PATHS = {
    "/api/v1/programmes": {"get", "post"},
    "/api/v1/programmes/{programme_id}": {"get", "patch"},
    "/api/v1/programmes/{programme_id}/transitions": {"post"},
    "/api/v1/enrolments": {"get"},
    "/api/v1/programmes/{programme_id}/enrolments": {"get", "post"},
    "/api/v1/enrolments/{enrolment_id}/withdraw": {"post"},
    "/api/v1/programmes/{programme_id}/enrolments/decisions": {"post"},
    "/api/v1/certification/me": {"get"},
    "/api/v1/certification/coaches": {"get"},
    "/api/v1/relationships/{relationship_id}/goals": {"get", "post"},
    "/api/v1/goals/{goal_id}": {"patch"},
    "/api/v1/goals/{goal_id}/progress": {"post"},
    "/api/v1/goals/{goal_id}/drop": {"post"},
    "/api/v1/goals/{goal_id}/reopen": {"post"},
    "/api/v1/relationships/{relationship_id}/actions": {"get", "post"},
    "/api/v1/actions/{action_id}/complete": {"post"},
    "/api/v1/actions/{action_id}/reopen": {"post"},
    # Notes
    "/api/v1/relationships/{relationship_id}/notes": {"get", "post"},
    "/api/v1/notes/{note_id}": {"get", "patch", "delete"},
    "/api/v1/notes/{note_id}/share": {"post"},
    "/api/v1/notes/{note_id}/unshare": {"post"},
    "/api/v1/relationships": {"get", "post"},
    "/api/v1/relationships/{relationship_id}": {"get"},
    "/api/v1/relationships/{relationship_id}/accept": {"post"},
    "/api/v1/relationships/{relationship_id}/decline": {"post"},
    "/api/v1/relationships/{relationship_id}/agreement": {"get"},
    "/api/v1/relationships/{relationship_id}/agreement/sign": {"post"},
    "/api/v1/relationships/{relationship_id}/transitions": {"post"},
}
# Coaching sessions
PATHS.update(
    {
        "/api/v1/sessions": {"get"},
        "/api/v1/sessions/{session_id}": {"get"},
        "/api/v1/relationships/{relationship_id}/sessions": {"post"},
        "/api/v1/sessions/{session_id}/reschedule": {"post"},
        "/api/v1/sessions/{session_id}/cancel": {"post"},
        "/api/v1/sessions/{session_id}/held": {"post"},
        "/api/v1/sessions/{session_id}/no-show": {"post"},
        "/api/v1/relationships/{relationship_id}/suggestions": {"get"},
    }
)
# Coachee choice: the caller's suggested coaches
PATHS.update({"/api/v1/suggestions": {"get", "post"}})
# Matching
PATHS.update(
    {
        "/api/v1/matching/runs": {"post"},
        "/api/v1/matching/runs/{run_id}": {"get"},
        "/api/v1/matching/runs/{run_id}/result": {"get"},
        "/api/v1/matching/runs/{run_id}/approve": {"post"},
    }
)

# Feedback: questionnaires, the caller's surveys and reports
PATHS.update(
    {
        "/api/v1/feedback/templates": {"get"},
        "/api/v1/feedback/surveys": {"get"},
        "/api/v1/feedback/surveys/{survey_id}": {"get"},
        "/api/v1/feedback/surveys/{survey_id}/answers": {"post"},
        "/api/v1/feedback/programmes/{programme_id}/report": {"get"},
        "/api/v1/feedback/coaching-report": {"get"},
        "/api/v1/feedback/assessments/{assessment_id}/report": {"get"},
    }
)


def test_the_document_lists_every_path_and_its_errors():
    schema = api.get_openapi_schema()
    assert {path: set(methods) for path, methods in schema["paths"].items()} == PATHS
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            codes = {str(code) for code in operation["responses"]}
            assert {"401", "403"} <= codes, (method, path)
            if method != "get":
                assert {"400", "422"} <= codes, (method, path)


def test_the_document_is_served_and_the_docs_page_is_off(db, admin):
    response = admin.client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert json.loads(response.content)["info"]["title"] == "Cadre API"
    assert admin.client.get("/api/v1/docs").status_code == 404


def test_unsafe_methods_need_the_csrf_token(admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin.user)
    body = json.dumps({"name": "X", "starts_on": "2027-01-01", "ends_on": "2027-12-31"})
    response = client.post("/api/v1/programmes", body, content_type="application/json")
    assert response.status_code == 403
    assert client.get("/api/v1/programmes").status_code == 200
