"""Statens servicecenter's answer to the seed, quoting it as Outlook does: the next
ordinary mail of the Ånge case, for tests that go on from the seed."""

ANSWER_ID = "<svar-1@statenssc.se>"


def ssc_answer(original_body: str) -> bytes:
    """Paul Larsson's answer to Ånge, quoting his first mail the way Outlook does."""
    quoted = "\r\n".join(
        [
            "Från: Paul Larsson <Paul.Larsson@statenssc.se>",
            "Skickat: den 7 juni 2021 13:42",
            "Till: Robertsson-Bly Mattias <Mattias.Robertsson-Bly@ange.se>",
            "Kopia: Ange <ange@ange.se>; Clas Heinegård <Clas.Heinegard@statenssc.se>",
            "Ämne: Etablering av statliga servicekontor",
            "",
            *original_body.splitlines(),
        ]
    )
    body = (
        "Hej Mattias,\r\n\r\nSom utlovat återkommer vi nu: vi föreslår ett dialogmöte i "
        "Ånge den 18 november. Passar det?\r\n\r\nPaul Larsson\r\nStatens servicecenter\r\n"
        "\r\n-----Ursprungligt meddelande-----\r\n" + quoted + "\r\n"
    )
    headers = [
        "From: Paul Larsson <Paul.Larsson@statenssc.se>",
        "To: Robertsson-Bly Mattias <Mattias.Robertsson-Bly@ange.se>",
        "Cc: Ange <ange@ange.se>",
        "Subject: SV: Etablering av statliga servicekontor",
        "Date: Thu, 28 Oct 2021 09:15:00 +0200",
        f"Message-ID: {ANSWER_ID}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode("utf-8")
