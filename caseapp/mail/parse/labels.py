"""The one table of what mail clients write around a quoted or forwarded message.

``TABLE`` maps a language to its kinds of label, each a tuple of the strings as the clients
write them (matched without regard to case or repeated spaces). The kinds:

- ``from``, ``sent``, ``date``, ``to``, ``cc``, ``bcc``, ``subject``, ``reply_to``: the
  labels of a header block ("Från:", "Skickat:" …);
- ``info``: informational lines a header block may hold anywhere (priority, importance,
  attachments, categories, flags, sensitivity, organisation). They never end a block and
  are not kept;
- ``forward``, ``original``: the text of a separator line that says a forwarded or an
  original message follows ("---------- Forwarded message ---------", "-----Ursprungligt
  meddelande-----", "-------- Original Message --------");
- ``apple``: Apple Mail's line above a forwarded message ("Begin forwarded message:").

Sources, named beside each language as a letter:
  [O] Outlook's reply/forward header (desktop, new Outlook and Outlook on the web) as it
      appears in mail from that language's Outlook; cross-checked against
      crisp-oss/email-forward-parser, whose per-client, per-locale regexes were taken from
      real mail, and against alfonsrv/mail-parser-reply's samples;
  [T] Thunderbird's localisations (mozilla-l10n: mail/chrome/messenger/mime.properties
      1000-1023 for the header names, composeMsgs.properties
      mailnews.reply_header_originalmessage / mailnews.forward_header_originalmessage for
      the separators);
  [A] Apple Mail's "Begin forwarded message:" in that locale and the labels under it
      (crisp-oss/email-forward-parser);
  [G] Gmail ("---------- Forwarded message ---------" in every locale, the header names in
      the user's language);
  [Y] Yahoo Mail's forward separator (crisp-oss/email-forward-parser);
  [-] not verified against a client: the language's ordinary word, kept because a header
      block is only accepted with a sender, an address or date and two more fields.
Derived look-ups (``LABELS``, ``INFO``, ``SEPARATORS``, ``APPLE``) are built once at import.
"""

from __future__ import annotations

# fmt: off
TABLE: dict[str, dict[str, tuple[str, ...]]] = {
    # Swedish: [O] Från/Skickat/Till/Kopia/Ämne, Prioritet, Bifogade filer; [T] sv-SE
    # (Datum, Dold kopia, Svar till, Organisation, "Ursprungligt meddelande",
    # "Vidarebefordrat meddelande"); [A] "Vidarebefordrat mejl", older "Vidarebefordrat
    # brev" / "Början på vidarebefordrat brev"; [-] Avsändare, Mottagare, Rubrik.
    "sv": {
        "from": ("Från", "Avsändare"),
        "sent": ("Skickat",),
        "date": ("Datum",),
        "to": ("Till", "Mottagare"),
        "cc": ("Kopia",),
        "bcc": ("Hemlig kopia", "Dold kopia", "Blindkopia"),
        "subject": ("Ämne", "Rubrik"),
        "reply_to": ("Svara till", "Svar till"),
        "info": (
            "Prioritet", "Viktighet", "Bifogade filer", "Bifogad fil", "Bilagor", "Bilaga",
            "Kategorier", "Kategori", "Flagga", "Uppföljningsflagga", "Flaggstatus", "Känslighet",
            "Organisation",
        ),
        "forward": (
            "Vidarebefordrat meddelande", "Vidarebefordrat e-brev", "Vidarebefordrat ebrev",
        ),
        "original": ("Ursprungligt meddelande", "Originalmeddelande"),
        "apple": (
            "Vidarebefordrat mejl", "Vidarebefordrat brev", "Början på vidarebefordrat brev",
            "Början på vidarebefordrat meddelande",
        ),
    },
    # English: [O] From/Sent/To/Cc/Subject, Importance, Attachments, Categories, Follow Up
    # Flag, Flag Status, Sensitivity; [T] en-US (Date, BCC, Reply-To, Organization, "Original
    # Message", "Forwarded Message"); [G] "Forwarded message"; [A] "Begin forwarded message".
    "en": {
        "from": ("From",),
        "sent": ("Sent",),
        "date": ("Date",),
        "to": ("To",),
        "cc": ("Cc",),
        "bcc": ("Bcc",),
        "subject": ("Subject",),
        "reply_to": ("Reply-To",),
        "info": (
            "Importance", "Priority", "Attachments", "Attachment", "Categories", "Category",
            "Follow Up Flag", "Follow-Up Flag", "Flag Status", "Flag", "Sensitivity",
            "Organization", "Organisation",
        ),
        "forward": ("Forwarded message", "Forwarded e-mail", "Forwarded email"),
        "original": (
            "Original Message", "Original e-mail message", "Original email message",
            "Original Appointment",
        ),
        "apple": ("Begin forwarded message",),
    },
    # Danish: [O] Fra/Sendt/Til/Cc/Emne, Vedhæftede filer, Prioritet, Vigtighed; [T] da
    # ("Oprindelig meddelelse", "Videresendt meddelelse"; its header names are English);
    # [A] Fra/Emne/Dato/Til, "Start på videresendt besked"; [-] Afsender, Modtager.
    "da": {
        "from": ("Fra", "Afsender"),
        "sent": ("Sendt",),
        "date": ("Dato",),
        "to": ("Til", "Modtager"),
        "cc": ("Kopi",),
        "bcc": ("Bcc", "Blindkopi", "Skjult kopi"),
        "subject": ("Emne",),
        "reply_to": ("Svar til",),
        "info": (
            "Prioritet", "Vigtighed", "Vedhæftede filer", "Vedhæftet", "Bilag", "Kategorier",
            "Opfølgningsflag", "Flagstatus", "Følsomhed",
        ),
        "forward": ("Videresendt meddelelse", "Videresendt besked"),
        "original": ("Oprindelig meddelelse", "Original meddelelse", "Oprindelig besked"),
        "apple": ("Start på videresendt besked",),
    },
    # Norwegian bokmål: [O] Fra/Sendt/Til/Kopi/Emne, Vedlegg, Prioritet, Viktighet; [T] nb-NO
    # (Dato, Avsender, Svar-Til, "Opprinnelig melding", "Videresendt melding"); [A] "Videresendt
    # melding" (the same words as Thunderbird's separator).
    "nb": {
        "from": ("Fra", "Avsender"),
        "sent": ("Sendt",),
        "date": ("Dato",),
        "to": ("Til", "Mottaker"),
        "cc": ("Kopi",),
        "bcc": ("Blindkopi", "Skjult kopi"),
        "subject": ("Emne",),
        "reply_to": ("Svar til", "Svar-Til"),
        "info": (
            "Prioritet", "Viktighet", "Vedlegg", "Kategorier", "Oppfølgingsflagg", "Flaggstatus",
            "Følsomhet", "Organisasjon",
        ),
        "forward": ("Videresendt melding", "Videresendt e-post"),
        "original": ("Opprinnelig melding", "Opprinnelig e-post"),
        "apple": (
            "Videresendt melding", "Start på videresendt melding", "Start på videresendt e-post",
        ),
    },
    # Norwegian nynorsk: [T] nn-NO (Frå, Avsendar, Dato, Til, Emne, "Opphavleg melding",
    # "Vidaresend melding"); [O] Frå/Sendt/Til/Kopi/Emne.
    "nn": {
        "from": ("Frå", "Avsendar"),
        "sent": ("Sendt",),
        "date": ("Dato",),
        "to": ("Til",),
        "cc": ("Kopi",),
        "subject": ("Emne",),
        "info": ("Vedlegg", "Prioritet"),
        "forward": ("Vidaresend melding",),
        "original": ("Opphavleg melding",),
    },
    # Icelandic: [T] is (Frá, Dagsetning, Til, Efni, Falið afrit, Svar-Við, "Upprunalegur
    # póstur", "Áframsendur póstur"); [O] Frá/Sent/Til/Afrit/Efni, Viðhengi, Mikilvægi.
    "is": {
        "from": ("Frá", "Sendandi"),
        "sent": ("Sent",),
        "date": ("Dagsetning",),
        "to": ("Til",),
        "cc": ("Afrit",),
        "bcc": ("Falið afrit",),
        "subject": ("Efni",),
        "reply_to": ("Svar-Við",),
        "info": ("Viðhengi", "Mikilvægi", "Forgangur"),
        "forward": ("Áframsendur póstur",),
        "original": ("Upprunalegur póstur",),
    },
    # Finnish: [O] Lähettäjä/Lähetetty/Vastaanottaja/Kopio/Aihe, Liitteet, Tärkeys; [T] fi
    # (Päiväys, Piilokopio, Vastausosoite, "Alkuperäinen viesti / Orig.Msg.", "Välitetty viesti
    # / Fwd.Msg"); [A] Päivämäärä, "Välitetty viesti alkaa"; [Y] "Edelleenlähetetty viesti".
    "fi": {
        "from": ("Lähettäjä",),
        "sent": ("Lähetetty",),
        "date": ("Päivämäärä", "Päiväys"),
        "to": ("Vastaanottaja",),
        "cc": ("Kopio",),
        "bcc": ("Piilokopio",),
        "subject": ("Aihe",),
        "reply_to": ("Vastausosoite",),
        "info": ("Tärkeys", "Prioriteetti", "Liitteet", "Liite", "Luokat", "Järjestö"),
        "forward": (
            "Välitetty viesti", "Välitetty viesti / Fwd.Msg", "Edelleenlähetetty viesti",
        ),
        "original": ("Alkuperäinen viesti", "Alkuperäinen viesti / Orig.Msg."),
        "apple": ("Välitetty viesti alkaa",),
    },
    # German: [O] Von/Gesendet/An/Cc/Betreff, Wichtigkeit, Anlagen; [T] de (Datum, BCC,
    # Antwort an, Absender, Organisation, "Original-Nachricht", "Weitergeleitete Nachricht");
    # [O] "Ursprüngliche Nachricht"; [A] "Anfang der weitergeleiteten Nachricht" (older
    # "… E-Mail").
    "de": {
        "from": ("Von", "Absender"),
        "sent": ("Gesendet",),
        "date": ("Datum",),
        "to": ("An",),
        "cc": ("Kopie",),
        "bcc": ("Blindkopie",),
        "subject": ("Betreff",),
        "reply_to": ("Antwort an",),
        "info": (
            "Wichtigkeit", "Priorität", "Anlagen", "Anlage", "Anhang", "Anhänge", "Kategorien",
            "Nachverfolgungskennzeichnung", "Kennzeichnungsstatus", "Vertraulichkeit",
            "Organisation",
        ),
        "forward": ("Weitergeleitete Nachricht",),
        "original": (
            "Ursprüngliche Nachricht", "Original-Nachricht", "Originalnachricht",
            "Ursprüngliche Mitteilung",
        ),
        "apple": ("Anfang der weitergeleiteten Nachricht", "Anfang der weitergeleiteten E-Mail"),
    },
    # Dutch: [O] Van/Verzonden/Aan/CC/Onderwerp, Urgentie, Bijlagen; [T] nl (Datum, Afzender,
    # Antwoord-naar, "Oorspronkelijk bericht", "Doorgestuurd bericht"); [A] "Begin doorgestuurd
    # bericht".
    "nl": {
        "from": ("Van", "Afzender"),
        "sent": ("Verzonden",),
        "date": ("Datum",),
        "to": ("Aan",),
        "cc": ("Cc",),
        "bcc": ("Bcc",),
        "subject": ("Onderwerp",),
        "reply_to": ("Antwoord aan", "Antwoord-naar"),
        "info": (
            "Urgentie", "Prioriteit", "Bijlagen", "Bijlage", "Categorieën", "Vlagstatus",
            "Vlag voor opvolging", "Gevoeligheid", "Organisatie",
        ),
        "forward": ("Doorgestuurd bericht",),
        "original": ("Oorspronkelijk bericht", "Originele bericht", "Origineel bericht"),
        "apple": ("Begin doorgestuurd bericht",),
    },
    # French: [O] De/Envoyé/À/Cc/Objet, Importance, Pièces jointes (written with a space
    # before the colon); [T] fr (Sujet, Date, Pour, Copie à, Copie cachée à, Répondre à,
    # "Message original", "Message transféré"); [O] "Message d'origine"; [A] Objet, "Début du
    # message réexpédié" (iOS "… transféré"); [Y] "Message transmis".
    "fr": {
        "from": ("De", "Expéditeur"),
        "sent": ("Envoyé",),
        "date": ("Date",),
        "to": ("À", "A", "Pour"),
        "cc": ("Cc", "Copie à"),
        "bcc": ("Cci", "Copie cachée à"),
        "subject": ("Objet", "Sujet"),
        "reply_to": ("Répondre à",),
        "info": (
            "Importance", "Priorité", "Pièces jointes", "Pièce jointe",
            "Catégories", "Indicateur de suivi", "État de l'indicateur", "Critère de diffusion",
            "Confidentialité", "Organisation",
        ),
        "forward": ("Message transféré", "Message transmis"),
        "original": ("Message d'origine", "Message original"),
        "apple": ("Début du message réexpédié", "Début du message transféré"),
    },
    # Italian: [O] Da/Inviato/A/Cc/Oggetto, Priorità, Allegati; [T] it (Data, Mittente, Ccn,
    # Rispondi-a, "Messaggio originale", "Messaggio Inoltrato"); [A] "Inizio messaggio
    # inoltrato".
    "it": {
        "from": ("Da", "Mittente"),
        "sent": ("Inviato",),
        "date": ("Data",),
        "to": ("A",),
        "cc": ("Cc",),
        "bcc": ("Ccn",),
        "subject": ("Oggetto",),
        "reply_to": ("Rispondi a", "Rispondi-a"),
        "info": (
            "Priorità", "Importanza", "Allegati", "Allegato", "Categorie", "Riservatezza",
            "Organizzazione",
        ),
        "forward": ("Messaggio inoltrato",),
        "original": ("Messaggio originale",),
        "apple": ("Inizio messaggio inoltrato",),
    },
    # Spanish: [O] De/Enviado el/Para/CC/Asunto (new Outlook "Enviado"), Importancia, Datos
    # adjuntos; [T] es-ES (Fecha, Remitente, Responder a, "Mensaje original", "Mensaje
    # reenviado"); [A] "Inicio del mensaje reenviado".
    "es": {
        "from": ("De", "Remitente"),
        "sent": ("Enviado el", "Enviado"),
        "date": ("Fecha",),
        "to": ("Para",),
        "cc": ("CC",),
        "bcc": ("CCO",),
        "subject": ("Asunto",),
        "reply_to": ("Responder a",),
        "info": (
            "Importancia", "Prioridad", "Datos adjuntos", "Adjuntos", "Categorías",
            "Confidencialidad", "Organización",
        ),
        "forward": ("Mensaje reenviado",),
        "original": ("Mensaje original",),
        "apple": ("Inicio del mensaje reenviado",),
    },
    # Portuguese: [O] De/Enviada/Para/Cc/Assunto (Brazil "Enviado em"), Importância, Anexos;
    # [T] pt-PT/pt-BR (Data, Remetente, Cco, Responder-Para, "Mensagem original", "Mensagem
    # reencaminhada"/"encaminhada"); [A] "Início da mensagem reencaminhada"/"encaminhada".
    "pt": {
        "from": ("De", "Remetente"),
        "sent": ("Enviada", "Enviado", "Enviado em", "Enviada em"),
        "date": ("Data",),
        "to": ("Para",),
        "cc": ("Cc", "Cópia"),
        "bcc": ("Cco", "Bcc"),
        "subject": ("Assunto",),
        "reply_to": ("Responder a", "Responder-Para"),
        "info": (
            "Importância", "Prioridade", "Anexos", "Anexo", "Categorias", "Confidencialidade",
            "Organização",
        ),
        "forward": ("Mensagem encaminhada", "Mensagem reencaminhada"),
        "original": ("Mensagem original",),
        "apple": ("Início da mensagem reencaminhada", "Início da mensagem encaminhada"),
    },
    # Polish: [O] Od/Wysłano/Do/DW/Temat, Ważność, Załączniki; [T] pl (Temat, Data, Nadawca,
    # Adresat, Kopia, Ukryta kopia, Odpowiedź-Do, "Treść oryginalnej wiadomości", "Treść
    # przekazanej wiadomości"); [O] "Wiadomość oryginalna"; [A] Dw, "Początek przekazywanej
    # wiadomości"; [G]/[Y] "Wiadomość przekazana dalej", "Przekazana wiadomość".
    "pl": {
        "from": ("Od", "Nadawca"),
        "sent": ("Wysłano", "Wysłane"),
        "date": ("Data",),
        "to": ("Do", "Adresat"),
        "cc": ("DW", "Kopia"),
        "bcc": ("UDW", "Ukryta kopia"),
        "subject": ("Temat",),
        "reply_to": ("Odpowiedź do", "Odpowiedź-Do"),
        "info": ("Ważność", "Priorytet", "Załączniki", "Załącznik", "Kategorie", "Poufność"),
        "forward": (
            "Wiadomość przekazana dalej", "Treść przekazanej wiadomości", "Przekazana wiadomość",
        ),
        "original": (
            "Wiadomość oryginalna", "Oryginalna wiadomość", "Treść oryginalnej wiadomości",
        ),
        "apple": ("Początek przekazywanej wiadomości",),
    },
    # Czech: [O] Od/Odesláno/Komu/Kopie/Předmět, Důležitost, Přílohy; [T] cs (Datum, Skrytá
    # kopie, "Původní zpráva", "Přeposlaná zpráva"); [A] "Začátek přeposílané zprávy" (also
    # seen as "… přeposlané zprávy").
    "cs": {
        "from": ("Od", "Odesílatel"),
        "sent": ("Odesláno",),
        "date": ("Datum",),
        "to": ("Komu",),
        "cc": ("Kopie",),
        "bcc": ("Skrytá kopie",),
        "subject": ("Předmět",),
        "info": ("Důležitost", "Priorita", "Přílohy", "Příloha", "Kategorie", "Citlivost"),
        "forward": ("Přeposlaná zpráva",),
        "original": ("Původní zpráva",),
        "apple": ("Začátek přeposílané zprávy", "Začátek přeposlané zprávy"),
    },
    # Slovak: [O] Od/Odoslané/Komu/Kópia/Predmet, Dôležitosť, Prílohy; [T] sk (Dátum, Pre,
    # Skrytá kópia, Odpoveď komu, "Pôvodná správa", "Preposlaná správa"); [A] Pre, "Začiatok
    # preposlanej správy".
    "sk": {
        "from": ("Od", "Odosielateľ"),
        "sent": ("Odoslané",),
        "date": ("Dátum",),
        "to": ("Komu", "Pre"),
        "cc": ("Kópia",),
        "bcc": ("Skrytá kópia",),
        "subject": ("Predmet",),
        "reply_to": ("Odpoveď komu",),
        "info": ("Dôležitosť", "Priorita", "Prílohy", "Príloha", "Kategórie", "Citlivosť"),
        "forward": ("Preposlaná správa", "Preposlaná správa --- Forwarded Message"),
        "original": ("Pôvodná správa", "Pôvodná správa --- Original Message"),
        "apple": ("Začiatok preposlanej správy",),
    },
    # Slovenian: [O] Od/Poslano/Za/Kp/Zadeva, Pomembnost, Priloge; [T] sl (Datum, Komu, CC,
    # Pošiljatelj, Odgovor-za, "Izvirno sporočilo"/"Prvotno sporočilo", "Posredovano
    # sporočilo").
    "sl": {
        "from": ("Od", "Pošiljatelj"),
        "sent": ("Poslano",),
        "date": ("Datum",),
        "to": ("Za", "Komu"),
        "cc": ("Kp", "Kopija"),
        "bcc": ("Skp",),
        "subject": ("Zadeva",),
        "reply_to": ("Odgovor-za",),
        "info": ("Pomembnost", "Prednost", "Priloge", "Priloga", "Kategorije", "Občutljivost"),
        "forward": ("Posredovano sporočilo",),
        "original": ("Izvirno sporočilo", "Prvotno sporočilo"),
    },
    # Croatian: [T] hr (Šalje, Prima, Naslov, Datum, Pošiljatelj, Odgovori na, "Izvorna
    # poruka", "Proslijeđena poruka"); [A] Šalje/Predmet/Datum/Prima, "Započni proslijeđenu
    # poruku"; [O] Šalje/Poslano/Prima/Predmet (also seen as Od/Za), Važnost, Privici.
    "hr": {
        "from": ("Šalje", "Od", "Pošiljatelj"),
        "sent": ("Poslano",),
        "date": ("Datum",),
        "to": ("Prima", "Za"),
        "cc": ("Kopija",),
        "subject": ("Predmet", "Naslov"),
        "reply_to": ("Odgovori na",),
        "info": ("Važnost", "Prioritet", "Privici", "Privitak", "Kategorije", "Osjetljivost"),
        "forward": ("Proslijeđena poruka",),
        "original": ("Izvorna poruka",),
        "apple": ("Započni proslijeđenu poruku",),
    },
    # Hungarian: [O] Feladó/Küldve/Címzett/Másolatot kap/Tárgy, Fontosság, Mellékletek; [T] hu
    # (Dátum, Küldő, Válaszcím, "Eredeti üzenet", "Továbbított üzenet"); [A] Másolat,
    # "Továbbított levél kezdete"; [Y] Elküldve.
    "hu": {
        "from": ("Feladó", "Küldő"),
        "sent": ("Küldve", "Elküldve"),
        "date": ("Dátum",),
        "to": ("Címzett",),
        "cc": ("Másolatot kap", "Másolat"),
        "bcc": ("Titkos másolat", "Rejtett másolatot kap"),
        "subject": ("Tárgy",),
        "reply_to": ("Válaszcím",),
        "info": ("Fontosság", "Prioritás", "Mellékletek", "Melléklet", "Kategóriák"),
        "forward": ("Továbbított üzenet", "Továbbított levél"),
        "original": ("Eredeti üzenet",),
        "apple": ("Továbbított levél kezdete",),
    },
    # Romanian: [O] De la/Trimis/Către/Cc/Subiect, Importanță, Atașări; [T] ro (de la, Dată,
    # Expeditor, Răspuns către, "Mesajul original"); [A] Expeditorul, Destinatarul,
    # Subiectul, "Începe mesajul redirecționat"; [Y] "Mesaj redirecționat".
    "ro": {
        "from": ("De la", "Expeditor", "Expeditorul"),
        "sent": ("Trimis",),
        "date": ("Dată", "Data"),
        "to": ("Către", "Destinatarul"),
        "cc": ("Cc",),
        "subject": ("Subiect", "Subiectul"),
        "reply_to": ("Răspuns către",),
        "info": ("Importanță", "Prioritate", "Atașări", "Atașamente", "Categorii"),
        "forward": ("Mesaj redirecționat",),
        "original": ("Mesajul original", "Mesaj original"),
        "apple": ("Începe mesajul redirecționat",),
    },
    # Estonian: [O] Saatja/Saatmisaeg (new Outlook "Saadetud")/Adressaat/Koopia/Teema,
    # Tähtsus, Manused; [T] et (Kuupäev, Saaja, Pimekoopia, "Algne kiri", "Edastatud kiri");
    # [G] Saatja.
    "et": {
        "from": ("Saatja",),
        "sent": ("Saatmisaeg", "Saadetud"),
        "date": ("Kuupäev",),
        "to": ("Adressaat", "Saaja"),
        "cc": ("Koopia",),
        "bcc": ("Pimekoopia",),
        "subject": ("Teema",),
        "reply_to": ("Vastamise aadress",),
        "info": ("Tähtsus", "Prioriteet", "Manused", "Manus", "Kategooriad"),
        "forward": ("Edastatud kiri", "Edastatud sõnum"),
        "original": ("Algne kiri", "Algne sõnum"),
    },
    # Latvian (Thunderbird has no Latvian localisation): [O] No/Nosūtīts/Kam/Kopija/Tēma,
    # Svarīgums, Pielikumi; [-] Datums, Temats.
    "lv": {
        "from": ("No",),
        "sent": ("Nosūtīts",),
        "date": ("Datums",),
        "to": ("Kam",),
        "cc": ("Kopija",),
        "subject": ("Tēma", "Temats"),
        "info": ("Svarīgums", "Prioritāte", "Pielikumi", "Pielikums", "Kategorijas"),
        "original": ("Sākotnējais ziņojums",),
    },
    # Lithuanian: [O] Nuo/Išsiųsta/Kam/Kopija/Tema, Svarba, Priedai; [T] lt (Kas, Data,
    # Nematomoji kopija, "Originalus laiškas", "Persiųstas laiškas").
    "lt": {
        "from": ("Nuo", "Kas", "Siuntėjas"),
        "sent": ("Išsiųsta",),
        "date": ("Data",),
        "to": ("Kam",),
        "cc": ("Kopija",),
        "bcc": ("Nematomoji kopija",),
        "subject": ("Tema",),
        "info": ("Svarba", "Prioritetas", "Priedai", "Priedas", "Kategorijos"),
        "forward": ("Persiųstas laiškas",),
        "original": ("Originalus laiškas", "Originalaus laiško tekstas"),
    },
    # Irish: [T] ga-IE (Ó, Dáta, Chuig, Cc, Bcc, Ábhar, Freagra-Chuig, Seoltóir, "Teachtaireacht
    # Bhunaidh", "Teachtaireacht Ar Aghaidh"); [O] Seolta, Tábhacht, Ceangaltáin.
    "ga": {
        "from": ("Ó", "Seoltóir"),
        "sent": ("Seolta",),
        "date": ("Dáta",),
        "to": ("Chuig",),
        "subject": ("Ábhar",),
        "reply_to": ("Freagra-Chuig",),
        "info": ("Tábhacht", "Ceangaltáin", "Iatán"),
        "forward": ("Teachtaireacht Ar Aghaidh",),
        "original": ("Teachtaireacht Bhunaidh",),
    },
    # Maltese: [-] Minn/Mibgħut/Lil/Suġġett (Outlook's Maltese language pack; not verified).
    "mt": {
        "from": ("Minn",),
        "sent": ("Mibgħut",),
        "to": ("Lil",),
        "subject": ("Suġġett",),
    },
    # Luxembourgish: [-] Vun/Geschéckt/Un (not verified; "Datum", "Betreff" as in German).
    "lb": {
        "from": ("Vun",),
        "sent": ("Geschéckt",),
        "to": ("Un",),
    },
    # Russian, which the parser read before this table existed: [T] ru, [A] ru.
    "ru": {
        "from": ("От кого", "От"),
        "date": ("Дата",),
        "to": ("Кому",),
        "cc": ("Копия",),
        "subject": ("Тема",),
        "forward": ("Пересылаемое сообщение", "Перенаправленное сообщение"),
        "original": ("Исходное сообщение",),
        "apple": ("Начало переадресованного сообщения",),
    },
}
# fmt: on

HEADER_FIELDS = ("from", "sent", "date", "to", "cc", "bcc", "subject", "reply_to")
KINDS = (*HEADER_FIELDS, "info", "forward", "original", "apple")


def norm(text: str) -> str:
    """The form every look-up uses: lower case, runs of white space as one space."""
    return " ".join(text.lower().split())


def _build() -> tuple[dict[str, str], frozenset[str], dict[str, str], frozenset[str]]:
    labels: dict[str, str] = {}
    info: set[str] = set()
    separators: dict[str, str] = {}
    apple: set[str] = set()
    for lang, kinds in TABLE.items():
        for kind, words in kinds.items():
            if kind not in KINDS:
                raise ValueError(f"labels: unknown kind {kind!r} for {lang!r}")
            for word in words:
                key = norm(word)
                if kind in HEADER_FIELDS:
                    if labels.setdefault(key, kind) != kind:
                        raise ValueError(f"labels: {word!r} is both {labels[key]} and {kind}")
                elif kind == "info":
                    info.add(key)
                elif kind == "apple":
                    apple.add(key)
                elif separators.setdefault(key, kind) != kind:
                    raise ValueError(f"labels: {word!r} is both {separators[key]} and {kind}")
    if overlap := info & labels.keys():
        raise ValueError(f"labels: both a header field and informational: {sorted(overlap)}")
    return labels, frozenset(info), separators, frozenset(apple)


#: header label (normalised) -> field; INFO: informational labels; SEPARATORS: separator
#: text -> 'forward' | 'original'; APPLE: Apple Mail's forward lines (without the colon).
LABELS, INFO, SEPARATORS, APPLE = _build()
