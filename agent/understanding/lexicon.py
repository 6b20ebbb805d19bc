"""Word lists for normalisation: chat abbreviations and slang, emoji, numbers, dates.

Tables are written as "key=value" items ("_" stands for a space in a value) to keep them
dense and readable. Every replacement is in canonical form (lower case, no accents) and is
itself a fixed point of normalisation (a test checks this), so normalising twice changes
nothing.
"""


def _pairs(table: str) -> dict[str, str]:
    items = (item.split("=", 1) for item in table.split())
    return {key: value.replace("_", " ") for key, value in items}


def words(table: str) -> frozenset[str]:
    """The whitespace-separated words of `table`."""
    return frozenset(table.split())


def _phrases(table: str) -> tuple[str, ...]:
    return tuple(item.replace("_", " ") for item in table.split())


def _numbers(table: str) -> dict[str, int]:
    return {key: int(value) for key, value in _pairs(table).items()}


# One chat spelling -> its canonical words. Keys are after accent stripping and letter-run
# collapsing, so "vcccc" and "você" arrive here as "vc" and "voce".
ABBREVIATIONS = _pairs(
    """
    vc=voce vcs=voces ce=voce oce=voce vx=voce cmg=comigo ctg=contigo alg=alguem ngm=ninguem
    n=nao nn=nao naum=nao nau=nao nop=nao nops=nao s=sim ss=sim sin=sim yes=sim
    uhum=aham ahan=aham okay=ok okey=ok oks=ok okk=ok blz=beleza blza=beleza fechou=fechado
    q=que oq=o_que pq=porque pqe=porque qdo=quando qnd=quando qndo=quando qd=quando
    qto=quanto qnto=quanto qnt=quanto qt=quanto qts=quantos qtas=quantas ql=qual
    qq=qualquer qlq=qualquer qqr=qualquer tb=tambem tbm=tambem tmb=tambem tbem=tambem
    td=tudo tds=todos mt=muito mto=muito mts=muitos msm=mesmo eh=e ta=esta to=estou tou=estou
    tava=estava tamo=estamos tamos=estamos pra=para pa=para p=para pro=para_o pros=para_os
    pras=para_as d=de d+=demais nd=nada nda=nada dps=depois dpois=depois agr=agora agra=agora
    aq=aqui aki=aqui kd=cade vdd=verdade vo=vou vamo=vamos entt=entao c=com cm=com sla=sei_la
    hj=hoje hje=hoje amn=amanha amnh=amanha amanh=amanha hr=horas hrs=horas hs=horas h=horas
    seg=segunda sex=sexta sab=sabado dom=domingo prox=proxima prx=proxima proxim=proxima
    fds=fim_de_semana daki=daqui
    obg=obrigado obgd=obrigado obgdo=obrigado obgda=obrigada brigado=obrigado
    brigada=obrigada vlw=valeu vlew=valeu tmj=valeu pfv=por_favor pf=por_favor pfvr=por_favor
    pls=por_favor plz=por_favor porfavor=por_favor flw=falou falow=falou abs=abraco
    bjs=beijo bj=beijo oie=oi oiee=oi eae=eai iae=eai eaew=eai bdia=bom_dia btarde=boa_tarde
    bnoite=boa_noite tchauzinho=tchau xau=tchau
    msg=mensagem msgs=mensagens zap=whatsapp zapzap=whatsapp wpp=whatsapp wts=whatsapp
    whats=whatsapp whatsap=whatsapp wats=whatsapp net=internet pics=pix piks=pix piz=pix
    blt=boleto bolet=boleto cod=codigo qrcode=qr_code copiaecola=copia_e_cola parc=parcela
    pgto=pagamento pagto=pagamento pgt=pagamento pg=pago pgo=pago vct=vencimento
    vcto=vencimento venc=vencimento desbloq=desbloqueio atd=atendimento sr=senhor sra=senhora
    dnv=de_novo dividi=dividir contos=conto pila=reais pilas=reais reau=reais
    """
)

# Ordinals written with digits ("2a via", "6a feira"), as "2ª" reads after accent stripping.
ORDINALS = _pairs(
    """
    1a=primeira 1o=primeiro 2a=segunda 2o=segundo 3a=terceira 3o=terceiro 4a=quarta
    4o=quarto 5a=quinta 5o=quinto 6a=sexta 6o=sexto
    """
)

# Emoji that carry a meaning in these chats; any other symbol is only a separator.
EMOJI: dict[str, str] = {
    "\U0001f44d": "ok",  # thumbs up
    "\U0001f44c": "ok",  # OK hand
    "\u2705": "ok",  # check mark button
    "\u2714": "ok",  # heavy check mark
    "\U0001f197": "ok",  # OK button
    "\U0001f44e": "nao",  # thumbs down
    "\u274c": "nao",  # cross mark
    "\U0001f64f": "obrigado",  # folded hands
    "\U0001f44b": "tchau",  # waving hand
}

# Frequent words that are no rule's keyword. Typo correction touches only unknown words, so
# listing these keeps it from "correcting" an ordinary word into a keyword.
COMMON_WORDS = words(
    """
    a o as os um uma uns umas de da do das dos em na no nas nos por pelo pela pelos pelas para
    com sem sob sobre ate entre e ou mas porem que se ja nao sim mais menos muito muita muitos
    muitas pouco pouca tudo todo toda todos todas nada algo alguem ninguem cada outro outra
    outros outras mesmo mesma esse essa esses essas este esta estes estas isso isto aquilo aquele
    aquela meu minha meus minhas seu sua seus suas teu tua nosso nossa dele dela deles delas eu
    voce voces ele ela eles elas nos me te lhe mim comigo contigo conosco aqui ali la ai agora
    entao depois antes ainda sempre nunca tambem so apenas quase bem mal assim onde como quando
    quanto quanta quantos quantas qual quais quem porque pois cade ne tipo coisa coisas vez vezes
    dia dias mes meses ano anos semana semanas hora horas minuto minutos hoje ontem amanha cedo
    tarde noite manha fim inicio comeco meio
    ser sou era foi fui sao eram estar estou esta estamos estao estava estive estiveram ter
    tenho tem temos tinha tive teve fazer faco faz fez fiz feito fazendo ir vou vai vamos vao ia
    foram vir venho vem veio ver vejo ve viu saber sei sabe poder posso pode podemos podia
    pude querer quero quer queria quis dar dou deu dei dado dizer digo diz disse falar falo
    fala falei ficar fico fica ficou fiquei deixar deixa deixo deixei passar passa passou passei
    chegar chegou chegaram chegue receber recebo recebe recebi recebeu recebido mandar mando
    manda mandou mandei mande enviar envia enviou enviei envie usar uso usa usei trabalhar
    trabalho trabalha estudar estudo precisar preciso precisa precisei conseguir consigo consegue
    consegui achar acho acha achei entender entendo entendi entendeu olhar olhei esperar
    espero espera esperando tentar tento tentei tentando ligar ligo liga liguei ligou voltar
    volta voltou volto acontecer acontece aconteceu sai saiu saio colocar coloquei botar
    bota abrir abre abri fechar fecha lembrar lembro esqueci esquecer acabar acabou acabei
    comprar compra comprei vender pedir peco pediu pedi mudar mudou mudei morar moro mora parei
    parou paramos
    bom boa bons boas ruim certo certa errado errada novo nova velho velha grande pequeno
    pequena igual proprio propria possivel impossivel facil dificil melhor pior maior menor
    primeiro primeira segundo segunda terceiro terceira ultimo ultima proximo proxima passado
    passada junto junta sozinho casa emprego salario dinheiro conta contas banco caixa
    cartao credito loja empresa provedor cliente pessoa gente familia filho filha mae pai
    esposa marido senhor senhora moco moca amigo amiga cara mano povo sistema numero telefone
    celular email endereco nome documento cpf cnpj rg dado dados valor valores preco total
    wifi sinal modem roteador plano servico velocidade fibra cabo tecnico visita
    ok oi ola eai opa salve hey tchau obrigado obrigada valeu beleza aham show top legal
    favor desculpa desculpe perdao licenca real reais centavo centavos conto mil feira
    """
)

# Frequent Brazilian first names: debtors introduce themselves ("aqui e a maria"), and a
# name must not be "corrected" into a keyword ("maria" is one letter from "marca").
FIRST_NAMES = words(
    """
    maria jose ana joao antonio francisco carlos paulo pedro lucas luiz luis marcos gabriel
    rafael daniel marcelo bruno eduardo felipe raimundo rodrigo manoel manuel mateus matheus
    andre fernando fabio leonardo gustavo guilherme leandro tiago thiago anderson ricardo
    marcio jorge sebastiao alexandre roberto edson diego vitor victor sergio claudio geraldo
    adriano luciano julio renato alex vinicius rogerio samuel ronaldo mario flavio douglas
    igor davi jeferson cicero miguel robson mauricio danilo henrique caio reginaldo joaquim
    benedito gilberto marco alan nelson cristiano elias wilson valdir emerson luan david renan
    severino fabricio mauro jonas gilmar jean fabiano wesley diogo adilson jair alessandro
    everton osvaldo gilson willian joel silvio helio maicon reinaldo pablo artur arthur
    vagner valter celso ivan cleber vanderlei hugo francisca antonia adriana juliana marcia
    fernanda patricia aline sandra camila amanda bruna jessica leticia julia luciana vanessa
    mariana gabriela vera vitoria larissa claudia beatriz luana rita sonia renata eliane
    josefa simone natalia cristiane carla debora rosangela jaqueline rosa daniela aparecida
    marlene terezinha raimunda andreia fabiana lucia raquel angela rafaela joana luzia elaine
    daiane regina priscila carolina tatiane isabel rose cleide silvia sara paula monica kelly
    edna denise sueli tania joelma lais valeria lorena eduarda michele helena alice sabrina
    barbara laura sofia
    """
)

# Words that may open or close a whole-message phrase without changing it ("parar por favor",
# "sim obrigado"), so that anchored rules still match.
LEADING_FILLERS = _phrases("oi ola ei ah olha entao bom_dia boa_tarde boa_noite para_mim por_mim")
TRAILING_FILLERS = _phrases(
    "por_favor ai ne viu mano cara moco moca amigo amiga senhor senhora agora entao ja logo"
)

# Laughter, dropped before anything else.
LAUGHTER = r"(?:k{2,}|(?:ha){2,}h?|(?:he){2,}h?|(?:hi){2,}|(?:rs)+|(?:hue){2,}|(?:ah){3,})"

# Numbers written as words. "e" joins them ("vinte e cinco") and is handled by the parser.
UNITS = _numbers(
    """
    zero=0 um=1 uma=1 dois=2 duas=2 tres=3 quatro=4 cinco=5 seis=6 sete=7 oito=8 nove=9
    dez=10 onze=11 doze=12 treze=13 quatorze=14 catorze=14 quinze=15 dezesseis=16
    dezasseis=16 dezessete=17 dezoito=18 dezenove=19 dezanove=19
    """
)
TENS = _numbers(
    """
    vinte=20 trinta=30 quarenta=40 cinquenta=50 cincoenta=50 sessenta=60 setenta=70
    oitenta=80 noventa=90
    """
)
HUNDREDS = _numbers(
    """
    cem=100 cento=100 duzentos=200 duzentas=200 trezentos=300 trezentas=300
    quatrocentos=400 quatrocentas=400 quinhentos=500 quinhentas=500 seiscentos=600
    seiscentas=600 setecentos=700 setecentas=700 oitocentos=800 oitocentas=800
    novecentos=900 novecentas=900
    """
)
ORDINAL_WORDS = _numbers(
    """
    primeira=1 primeiro=1 segunda=2 segundo=2 terceira=3 terceiro=3 quarta=4 quarto=4
    quinta=5 quinto=5 sexta=6 sexto=6 setima=7 setimo=7 oitava=8 oitavo=8 nona=9 nono=9
    decima=10 decimo=10
    """
)

MONTHS = _numbers(
    """
    janeiro=1 fevereiro=2 marco=3 abril=4 maio=5 junho=6 julho=7 agosto=8 setembro=9
    outubro=10 novembro=11 dezembro=12
    """
)
# Three-letter month names, trusted only right after "<day> de" ("15 de dez").
MONTH_ABBREVIATIONS = _numbers(
    "jan=1 fev=2 mar=3 abr=4 mai=5 jun=6 jul=7 ago=8 set=9 out=10 nov=11 dez=12"
)
# Words the date parser reads, besides weekday and month names; all canonical.
DATE_WORDS = words(
    """hoje amanha ontem anteontem depois antes dia dias semana semanas mes meses fim final
    inicio comeco meio passada passado proxima proximo que vem seguinte daqui dentro apos pouco
    quando assim logo breve uns alguns qualquer frente receber recebo receba tiver der puder
    conseguir cair sair entrar pingar arrumar salario pagamento beneficio auxilio bolsa vier
    chegar feira essa esta nessa nesta"""
)
# Monday is 0, as in date.weekday().
WEEKDAYS = _numbers("segunda=0 terca=1 quarta=2 quinta=3 sexta=4 sabado=5 domingo=6")
