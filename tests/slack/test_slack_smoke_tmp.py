from tests.helpers.fake_slack import TEAM
from tests.slack.conftest import slack_messages


def test_dm(events, fake_slack, slack_gateway):
    response = events.dm("UANNA", "hello there")
    assert response.status_code == 200, response.text
    sent = fake_slack.wait_for_text("echo: hello there")
    print(sent)
    print([(m.sender, m.text) for m in slack_messages(slack_gateway.database_url, f"{TEAM}:DUANNA")])
